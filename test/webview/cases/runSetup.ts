// The Run Unlearning button runs what the user set up: the host says what that is (nextRun), the
// button and the line under the toolbar name it, and with nothing set up it opens New Unlearning Run
// (never a run from the settings' defaults). The job shown is named by its model and forget set.
import type { Entry } from './case';
import { runSettingOf, settingText } from '../../../src/protocol/runLabels';
import { assert, assertEqual, until } from '../harness';

const SUMMARY = 'SalUn on my-model/model.json · bundled Fashion-MNIST · forget class 7';

async function runButton(page: import('playwright-core').Page): Promise<{ text: string; title: string; line: string }> {
  return page.evaluate(() => {
    const b = document.querySelector<HTMLElement>('vscode-button[data-action="runUnlearning"]');
    return { text: b?.textContent ?? '', title: b?.title ?? '', line: document.querySelector('#next-run')?.textContent ?? '' };
  });
}

export const runSetup: Entry[] = [
  {
    name: 'Run Unlearning asks the host what it would run; with nothing set up it reads and opens New Unlearning Run',
    async run({ panel }) {
      const [req] = await panel.nthPosted('nextRun', 1);
      assert(Number.isSafeInteger(req.requestId), 'nextRun is a request');
      await panel.reply(Number(req.requestId), { configured: false });
      const shown = await until('the button relabelled', async () => {
        const b = await runButton(panel.page);
        return b.line.includes('New Unlearning Run') ? b : undefined;
      });
      assertEqual(shown.text.trim(), 'New Unlearning Run…', 'button text');
      assert(/opens New Unlearning Run/.test(shown.title), `title "${shown.title}"`);
      const before = (await panel.postedOfType('action')).length;
      await panel.page.click('vscode-button[data-action="runUnlearning"]');
      const actions = await panel.nthPosted('action', before + 1);
      assertEqual(actions[before].action, 'runUnlearning', 'the action asked of the host');
    },
  },
  {
    name: 'after a job the button names the last New Unlearning Run it will run again',
    async run({ panel }) {
      const before = (await panel.postedOfType('nextRun')).length;
      await panel.send({ type: 'jobState', running: true });
      // A job runs for longer than a frame: the view draws (and asks) once per frame, so two states
      // delivered within one frame are one change to it, and it would rightly not ask again.
      await panel.frame();
      await panel.send({ type: 'jobState', running: false });
      const reqs = await panel.nthPosted('nextRun', before + 2);
      for (const r of reqs.slice(before)) await panel.reply(Number(r.requestId), { configured: true, summary: SUMMARY });
      const shown = await until('the summary shown', async () => {
        const b = await runButton(panel.page);
        return b.line.includes(SUMMARY) ? b : undefined;
      });
      assertEqual(shown.text.trim(), 'Run Unlearning', 'button text');
      assert(shown.title.includes('my-model/model.json') && shown.title.includes('class 7'), `title "${shown.title}"`);
    },
  },
  {
    name: 'the job shown is named by its method, model, data and forget set (status and results)',
    async run({ panel, fx }) {
      const config = (fx as unknown as { config: unknown }).config;
      const setting = runSettingOf(config);
      assert(setting.model === 'built-in CNN' && setting.forget === 'random 10% (seed 1)', `the recording's config reads ${JSON.stringify(setting)}`);
      await panel.send({ type: 'runSetup', runId: fx.finished.result.runId, method: 'salun', setting });
      const line = await until('the job setting', async () => (await panel.page.textContent('#job-setting')) ?? undefined);
      assertEqual(line, `SalUn · ${settingText(setting)}`, 'status line');
      const results = (await panel.page.textContent('#results-source')) ?? '';
      assert(
        results.includes(fx.finished.result.runId) && results.includes('built-in CNN') && results.includes('random 10% (seed 1)'),
        `results source "${results}"`,
      );
    },
  },
];
