// A webview's session: it has loaded its script and listens; the host reads what its first replay
// needs and sends it the whole picture.
import { ReadyCommand } from '../../../protocol/webviewMessages';
import type { PanelAreaHandlers } from '../panelContext';

export const SESSION_HANDLERS = {
  [ReadyCommand.method]: (m, ctx) => {
    ctx.channel.markReady();
    if (!ctx.state.saliency) ctx.state.loadJobSaliency(1);
    ctx.state.ensureRuns();
    // A reloaded panel showed a past run's trend: it comes back unless the host chose since.
    if (m.trendRunDir) ctx.state.restoreRunTrend(m.trendRunDir);
    ctx.replay();
  },
} satisfies PanelAreaHandlers;
