// The trend charts' source: the live job's, or a past run's (Open in Panel, which the host starts).
import { ShowLiveTrendCommand } from '../../../protocol/webviewMessages';
import type { PanelAreaHandlers } from '../panelContext';

export const TREND_HANDLERS = {
  // The panel has switched already; later replays must not bring the past run back.
  [ShowLiveTrendCommand.method]: (_m, ctx) => ctx.state.showLiveTrend(),
} satisfies PanelAreaHandlers;
