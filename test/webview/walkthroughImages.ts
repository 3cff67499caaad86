// The walkthrough's panel images (media/walkthrough/{mask,threshold,trends,compare}.png) and the
// README's media/screenshots/panel-dark.png, drawn from the recorded job the browser test replays
// (test/fixtures/panel-replay.json) in the same page: so they show what the panel draws today, and
// no machine's paths (the recording writes the workspace as a placeholder; a made-up one goes in).
// The generation step's image (generation.png) is a real sample grid, not the panel: not made here.
// Run by scripts/walkthrough-images.mjs after `npm run build`.
import { join } from 'node:path';
import { runSettingOf, settingText } from '../../src/protocol/runLabels';
import { loadFixture } from './fixture';
import { findChromium, PanelPage } from './panelPage';
import { until } from './harness';

/** Where the images go, with their sizes (those the walkthrough was laid out for). */
const WIDTH = 420;
const HEIGHTS = { mask: 760, threshold: 420, trends: 440, compare: 480 } as const;
/** Not a real folder: only its name could show, and it is never the developer's. */
const WORKSPACE = '/home/user/my-project';

interface Shot {
  file: string;
  /** The element whose top starts the picture. */
  from: string;
  height: number;
}

const SHOTS: Shot[] = [
  { file: 'media/walkthrough/mask.png', from: 'body', height: HEIGHTS.mask },
  { file: 'media/walkthrough/threshold.png', from: '#saliency-body > div > p.small', height: HEIGHTS.threshold },
  { file: 'media/walkthrough/trends.png', from: '#trend-body .trend-source + div', height: HEIGHTS.trends },
  { file: 'media/walkthrough/compare.png', from: '#compare .run-list', height: HEIGHTS.compare },
];

async function answerNextRun(panel: PanelPage, summary: string): Promise<void> {
  for (const r of await panel.postedOfType('nextRun')) await panel.reply(Number(r.requestId), { configured: true, summary });
}

/** Draws the recorded job as the host would send it, the comparison of its three runs, the cursor on epoch 3. */
async function drawPanel(panel: PanelPage, root: string): Promise<void> {
  const fx = loadFixture(root, WORKSPACE);
  const setting = runSettingOf((fx as unknown as { config: unknown }).config);
  await until("'ready'", async () => (await panel.postedOfType('ready')).length);
  await panel.send({ type: 'replay', events: fx.events, jobRunning: false });
  await panel.send({ type: 'runSetup', runId: fx.finished.result.runId, method: 'salun', setting });
  await panel.send(fx.scores);
  await panel.send({ type: 'runs', runs: fx.runs });
  await panel.checkEveryRun(fx.runs);
  // What the host's panelRunPlan would say had the user set this run up.
  await answerNextRun(panel, `SalUn on ${settingText(setting)}`);
  await until('the Run Unlearning button labelled', async () => (await panel.page.textContent('#next-run'))?.startsWith('Run Unlearning runs'));
  // The cursor on the second-to-last epoch: the readout under the charts shows an epoch's values.
  await panel.page.focus('.trend-charts');
  await panel.page.keyboard.press('End');
  await panel.page.keyboard.press('ArrowLeft');
  await panel.page.locator('#app').click({ position: { x: 1, y: 1 } });
  await panel.frame();
}

/** Writes the images; resolves with the files written. `root`: the repository. */
export async function writeWalkthroughImages(root: string): Promise<string[]> {
  const chromium = findChromium();
  if (!chromium) throw new Error('no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  const panel = await PanelPage.open(root, chromium, false);
  const written: string[] = [];
  try {
    await panel.page.setViewportSize({ width: WIDTH, height: 900 });
    await drawPanel(panel, root);
    for (const shot of SHOTS) {
      const top = await panel.page.$eval(shot.from, (e) => e.getBoundingClientRect().top + window.scrollY);
      await panel.page.screenshot({
        path: join(root, shot.file),
        fullPage: true,
        clip: { x: 0, y: Math.max(0, Math.floor(top) - 4), width: WIDTH, height: shot.height },
      });
      written.push(shot.file);
    }
    await panel.page.screenshot({ path: join(root, 'media/screenshots/panel-dark.png'), fullPage: true });
    written.push('media/screenshots/panel-dark.png');
    if (panel.problems.length) throw new Error(`the page reported: ${panel.problems.join('; ')}`);
  } finally {
    await panel.close();
  }
  return written;
}
