// The line under the toolbar ("Run Unlearning runs: SalUn on …", what the button would
// start next) stayed while the generation demo ran, and read as that job's caption. A new job of any
// kind clears it at its start; it comes back, still about the button, once the job has ended.
import type { JobEvent } from '../../../src/protocol/jobMessages';
import type { Entry } from './case';
import type { PanelPage } from '../panelPage';
import { assert, until } from '../harness';

const SUMMARY = 'SalUn on ws/model.onnx · bundled Fashion-MNIST · forget class 7';

interface Caption {
  shown: boolean;
  text: string;
  title: string;
}

function caption(panel: PanelPage): Promise<Caption> {
  return panel.page.evaluate(() => {
    const line = document.querySelector<HTMLElement>('#next-run');
    const shown = !!line && line.getClientRects().length > 0;
    return { shown, text: line?.textContent ?? '', title: document.querySelector('.job-title')?.textContent ?? '' };
  });
}

/** Answers every nextRun request asked since `from` with the set-up run. */
async function answerNextRun(panel: PanelPage, from: number): Promise<number> {
  const reqs = await panel.postedOfType('nextRun');
  for (const r of reqs.slice(from)) await panel.reply(Number(r.requestId), { configured: true, summary: SUMMARY });
  return reqs.length;
}

export const jobCaption: Entry[] = [
  {
    name: 'a generation job replaces the previous run’s caption at its start; the line returns once it ends',
    async run({ panel, fx }) {
      let answered = (await panel.postedOfType('nextRun')).length;
      // The panel asks what Run Unlearning would start when a job ends: end one here, whatever the
      // earlier cases left the page in, so the line is asked for (and answered) in this case.
      await panel.send({ type: 'jobState', running: true });
      await panel.frame();
      await panel.send({ type: 'replay', events: fx.events, jobRunning: false });
      await panel.send({ type: 'jobState', running: false });
      await panel.frame();
      const before = await until('the run’s caption', async () => {
        answered = await answerNextRun(panel, answered);
        const c = await caption(panel);
        return c.shown && c.text.includes(SUMMARY) ? c : undefined;
      });
      assert(/Unlearning run/.test(before.title), `the run job is shown first ("${before.title}")`);

      const started: JobEvent = {
        type: 'started',
        kind: 'generation',
        runId: 'gen-caption-test',
        runDir: `${fx.finished.result.runDir}-gen`,
        backend: { name: 'cpu', reason: 'forced', detail: '' },
      };
      await panel.send({ type: 'event', event: started });
      const during = await until('the generation job shown', async () => {
        const c = await caption(panel);
        return /Generation unlearning/.test(c.title) ? c : undefined;
      });
      answered = await answerNextRun(panel, answered);
      await panel.frame();
      const after = await caption(panel);
      assert(!during.shown && !after.shown, `while the generation job runs the line still reads "${after.text}" (title "${after.title}")`);

      await panel.send({ type: 'event', event: { type: 'cancelled' } });
      const back = await until('the line back after the job', async () => {
        answered = await answerNextRun(panel, answered);
        const c = await caption(panel);
        return c.shown && c.text.includes(SUMMARY) ? c : undefined;
      });
      assert(back.text.startsWith('Run Unlearning'), `after the job: "${back.text}"`);
    },
  },
];
