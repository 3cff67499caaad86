// Opening the SalUn view the way a user does, and the host's replay of its last job into it. Every
// later case that reads the panel depends on these two.
import type { Case, Ctx } from './case';
import { assert } from '../../webview/harness';
import { until } from '../harness';

async function statusLine(ctx: Ctx): Promise<string> {
  const { wb, suite } = ctx;
  await ctx.wb
    .panel()
    .locator('.job-title')
    .first()
    .waitFor({ state: 'attached', timeout: ctx.budget(60_000) });
  const title = (await wb.panel().locator('.job-title').textContent({ timeout: 5000 })) ?? '';
  assert(suite.runId && title.includes(suite.runId), `the status line says "${title}", not the last run ${suite.runId ?? '(none)'}`);
  return title;
}

export const panel: Case[] = [
  {
    name: 'the SalUn view opens in the workbench and its webview shows the panel',
    needs: [],
    blocks: 'the panel did not open',
    async run({ wb, budget }) {
      let how: string | undefined;
      try {
        await until(
          'the SalUn webview, visible (iframe.webview → #active-frame → #app with the toolbar)',
          budget(180_000),
          async () => {
            if (!(await wb.hasWebview())) how = await wb.openSalunView();
            return (await wb.panel().locator('#app .toolbar vscode-button').count()) >= 4;
          },
          1000,
        );
      } catch (e) {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; ${await wb.describeWebviews()}`);
      }
      return `via ${how ?? 'already open'}; ${await wb.describeWebviews()}`;
    },
  },
  {
    // The panel said 'ready' and got the host's replay: the last job's state, or the empty state.
    name: 'the host replays the last job into the panel',
    needs: ['panel'],
    blocks: 'the panel did not show the last job',
    async run(ctx) {
      const { wb, suite } = ctx;
      if (suite.summary) {
        await wb
          .panel()
          .locator('#saliency:not([hidden]) li.layer')
          .first()
          .waitFor({ state: 'attached', timeout: ctx.budget(60_000) });
        return statusLine(ctx);
      }
      // A job without a saliency map (e.g. one cancelled before its mask): its status line.
      if (suite.runDir) return `${await statusLine(ctx)} (no saliency map)`;
      await wb
        .panel()
        .locator('section.empty:not([hidden])')
        .waitFor({ state: 'attached', timeout: ctx.budget(60_000) });
      return 'no job in this window: the empty state';
    },
  },
];
