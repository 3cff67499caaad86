// A reload (VS Code reloads a hidden webview's document) draws the saved state at once.
import type { Entry } from './case';
import { assertClose, assertEqual, sleep } from '../harness';

/** The panel persists at most 4×/s. */
export const PERSIST_WAIT_MS = 400;

export const reload: Entry[] = [
  {
    name: 'a reload draws the saved state at once, before the host replays anything',
    async run({ panel, fx }) {
      // The saved state is the job's event log and the UI choices; a γ preview is the host's answer
      // to a moving slider, not saved, so after a reload the bars are the job's own mask again.
      const bars = fx.summary.layers.map((l) => ({ name: l.name, fraction: l.salientFraction }));
      const points = await panel.page.$$eval('svg.trend-chart circle', (c) => c.length);
      const hidden = (await panel.saved())?.ui?.hiddenSeries ?? [];
      await sleep(PERSIST_WAIT_MS);
      await panel.reload();
      assertEqual((await panel.postedOfType('ready')).length, 1, 'ready after the reload');
      const after = await panel.barFractions();
      assertEqual(after.length, bars.length, 'bars after the reload');
      after.forEach((b, i) => {
        assertEqual(b.name, bars[i].name, `bar ${i}`);
        assertClose(b.fraction, bars[i].fraction, `${b.name} after the reload`, 1e-9);
      });
      assertEqual(await panel.page.$$eval('svg.trend-chart circle', (c) => c.length), points, 'trend points after the reload');
      assertEqual(JSON.stringify((await panel.saved())?.ui?.hiddenSeries ?? []), JSON.stringify(hidden), 'legend choice after the reload');
    },
  },
];
