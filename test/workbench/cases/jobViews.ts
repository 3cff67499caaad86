// The panel's other views of the last job and the workspace: the metric trends (drawn only for an
// unlearning run with epochs) and the comparison's list of finished runs.
import type { Case } from './case';
import { assert } from '../../webview/harness';
import { MAX_COMPARISON_RUNS } from '../../../src/extension/runs/comparisonRuns';

export const jobViews: Case[] = [
  {
    name: 'metric trends match the last job',
    needs: ['panel'],
    async run({ wb, suite }) {
      const t = await wb.inPanel(() => {
        const sec = document.querySelector<HTMLElement>('#trend');
        return { hidden: !sec || sec.hidden, dots: sec ? sec.querySelectorAll('svg.trend-chart .dot').length : 0 };
      });
      // A run cancelled before its first unlearning epoch (the suite's "second start" test) has no epochs either.
      if (suite.kind === 'run' && suite.hasEpochs) {
        assert(!t.hidden && t.dots > 0, `the last job was an unlearning run, the trend section is ${t.hidden ? 'hidden' : `drawn with ${t.dots} points`}`);
        return `${t.dots} points`;
      }
      // A saliency job (or no job) has no epochs: the panel hides the section rather than draw it empty.
      assert(t.hidden, `the last job (${suite.kind ?? 'none'}) has no unlearning epochs on disk, yet the trend section shows ${t.dots} points`);
      return `no epochs (${suite.kind ?? 'no job'}): the section is hidden`;
    },
  },
  {
    name: 'the comparison lists the runs the suite left',
    needs: ['panel'],
    async run({ wb, suite, budget }) {
      await wb
        .panel()
        .locator('#compare:not([hidden]) .run-list li')
        .first()
        .waitFor({ state: 'attached', timeout: budget(30_000) });
      const c = await wb.inPanel(() => ({
        boxes: document.querySelectorAll('#compare .run-list input[type=checkbox][data-run]').length,
        text: document.querySelector('#compare .run-list')?.textContent ?? '',
      }));
      const expected = suite.comparisonRuns;
      if (expected !== undefined) assert(c.boxes === Math.min(expected, MAX_COMPARISON_RUNS), `${c.boxes} runs listed, ${expected} on disk`);
      if (c.boxes === 0) assert(/No finished unlearning runs/.test(c.text), `no runs listed and no "none yet" line: "${c.text}"`);
      const note = c.boxes ? `${c.boxes} run(s)` : 'none on disk: "No finished unlearning runs in this workspace yet."';
      return expected === undefined ? `${note}; the runs on disk could not be listed (${suite.comparisonProblem ?? '?'}), so only the panel was read` : note;
    },
  },
];
