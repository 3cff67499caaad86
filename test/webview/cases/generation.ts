// A generation job: the "Generated samples" section draws one grid per stage from the
// PNGs the host answers (built here by the engine's own grid renderer and PNG encoder), names the
// forgotten class in words and alt text, follows a newer grid of a stage, shows the generation
// metrics with FID-classifier labelled as ours, asks the host to export, and comes back after a reload
// from the saved paths alone (the saved state holds no image bytes).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JobEvent, SampleGridDescription } from '../../../src/protocol/jobMessages';
import type { GenerationMetricsRow } from '../../../src/protocol/results';
import type { HostToWebview, SampleImageReply } from '../../../src/protocol/webviewMessages';
import { encodePng } from '../../../src/engine/data/pngEncode';
import { renderSampleGrid } from '../../../src/engine/generation/sampleGrid';
import type { Ctx, Entry } from './case';
import type { PanelPage, Posted } from '../panelPage';
import { assert, assertEqual, sleep, until } from '../harness';
import { PERSIST_WAIT_MS } from './reload';
import { tableProblems, WIDTHS } from './widths';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const FORGET = 7;
const COLUMNS = 6;
const SIDE = 14;
const RUN_ID = 'gen-browser-test';
const PAST_RUN_ID = 'gen-browser-test-past';

/** The repository: the runner puts screenshots in <root>/.artifacts/webview. */
function rootOf(ctx: Pick<Ctx, 'artifacts'>): string {
  return dirname(dirname(ctx.artifacts));
}

/** Where the job would have written the grids; the panel only passes these paths back to the host. */
function gridFile(root: string, name: string): string {
  return join(root, '.salun', 'runs', RUN_ID, 'samples', `${name}.png`);
}

/**
 * A grid the way the job draws one: a blob per class whose place and size depend on the class, a
 * little per seed; `forgotten: 'noise'` draws the forgotten row as an unlearned model's would be.
 */
function gridPng(forgotten: 'class' | 'noise', shade: number): SampleImageReply & { png: Uint8Array } {
  const per = SIDE * SIDE;
  const images = new Float32Array(CLASSES.length * COLUMNS * per);
  for (let r = 0; r < CLASSES.length; r++) {
    for (let c = 0; c < COLUMNS; c++) {
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const at = (r * COLUMNS + c) * per + y * SIDE + x;
          if (r === FORGET && forgotten === 'noise') {
            images[at] = ((x * 7 + y * 13 + c * 5) % 11) / 11;
            continue;
          }
          const cx = 3 + (r % 5) * 2 + (c % 2);
          const cy = 4 + Math.floor(r / 5) * 5;
          const radius = 2 + (r % 3) + (c % 3) * 0.5;
          images[at] = Math.hypot(x - cx, y - cy) < radius ? shade : 0.05;
        }
      }
    }
  }
  const img = renderSampleGrid({ images, rows: CLASSES.length, columns: COLUMNS, height: SIDE, width: SIDE, channels: 1 }, { markedRows: [FORGET], scale: 2 });
  const png = encodePng(img);
  return { file: '', dataUri: `data:image/png;base64,${Buffer.from(png).toString('base64')}`, width: img.width, height: img.height, bytes: png.length, png };
}

function samples(root: string, stage: string, label: string, iteration?: number): JobEvent {
  const name = iteration === undefined ? stage : `${stage}-iteration-${iteration}`;
  return {
    type: 'samples',
    stage,
    label,
    file: gridFile(root, name),
    classes: CLASSES,
    forgetClass: FORGET,
    columns: COLUMNS,
    ...(iteration !== undefined ? { iteration } : {}),
  };
}

const ROWS: GenerationMetricsRow[] = [
  { label: 'θo', method: 'original', ua: 3.125, retainedAccuracy: 91.40625, fidClassifier: { realTest: 4.2371 }, seconds: 812.4 },
  {
    label: 'SalUn',
    method: 'salun',
    ua: 98.4375,
    retainedAccuracy: 89.0625,
    fidClassifier: { realTest: 5.1049, theta0: 1.8736, retrain: 0.9412 },
    seconds: 95.25,
  },
  { label: 'Retrain', method: 'retrain', ua: 100, retainedAccuracy: 90.625, fidClassifier: { realTest: 4.5518, theta0: 1.2207 }, seconds: 790.1 },
];

/** The figures as the table must print them: UA and accuracy to 0.1, FID-classifier to 0.01, — where absent. */
function expectedCells(r: GenerationMetricsRow): string[] {
  const f = (x: number | undefined, d: number): string => (x === undefined ? '—' : x.toFixed(d));
  return [
    r.label,
    f(r.ua, 1),
    f(r.retainedAccuracy, 1),
    f(r.fidClassifier.realTest, 2),
    f(r.fidClassifier.theta0, 2),
    f(r.fidClassifier.retrain, 2),
    f(r.seconds, 1),
  ];
}

const PICTURES = { original: gridPng('class', 0.9), partWay: gridPng('noise', 0.6), salun: gridPng('noise', 0.9), retrain: gridPng('noise', 0.85) };

/** Answers every sampleImage request posted after the first `from` with `picture(file)`; returns how many. */
async function answerImages(
  panel: PanelPage,
  from: number,
  picture: (file: string) => SampleImageReply & { png: Uint8Array },
  expected: number,
): Promise<Posted[]> {
  const asked = await until(`${expected} sampleImage request(s)`, async () => {
    const all = (await panel.postedOfType('sampleImage')).slice(from);
    return all.length >= expected ? all : undefined;
  });
  for (const m of asked) {
    const { png: _png, ...reply } = picture(String(m.file));
    await panel.reply(Number(m.requestId), { ...reply, file: m.file });
  }
  return asked;
}

interface DrawnFigure {
  stage: string;
  caption: string;
  alt: string;
  src: string;
  naturalWidth: number;
  stale: boolean;
  seq: string;
}

function figures({ panel }: Ctx): Promise<DrawnFigure[]> {
  return panel.page.$$eval('#samples figure.sample-grid', (figs) =>
    figs.map((f) => {
      const img = f.querySelector('img:not(.stale)');
      return {
        stage: (f as HTMLElement).dataset.stage ?? '',
        caption: f.querySelector('figcaption')?.textContent ?? '',
        alt: img?.getAttribute('alt') ?? '',
        src: img?.getAttribute('src') ?? '',
        naturalWidth: img instanceof HTMLImageElement ? img.naturalWidth : 0,
        stale: !!f.querySelector('img.stale'),
        seq: (f as HTMLElement).dataset.seq ?? '',
      };
    }),
  );
}

async function figureOf(ctx: Ctx, stage: string, done: (f: DrawnFigure) => boolean): Promise<DrawnFigure> {
  return until(`the ${stage} grid drawn`, async () => (await figures(ctx)).find((f) => f.stage === stage && done(f)));
}

let asked = 0;

export const generation: Entry[] = [
  {
    name: 'generation: no "Generated samples" section for a classification job',
    async run({ panel }) {
      assertEqual(await panel.page.$eval('#samples', (s) => (s as HTMLElement).hidden), true, '#samples hidden');
      assertEqual((await panel.postedOfType('sampleImage')).length, 0, 'sampleImage requests');
    },
  },
  {
    setup: 'the host replays a generation job that has drawn θo’s grid and figures',
    async run(ctx) {
      const { panel } = ctx;
      const root = rootOf(ctx);
      const events: JobEvent[] = [
        {
          type: 'started',
          kind: 'generation',
          runId: RUN_ID,
          runDir: dirname(dirname(gridFile(root, 'x'))),
          backend: { name: 'cpu', reason: 'forced', detail: '' },
        },
        samples(root, 'original', 'θo'),
        { type: 'generationMetrics', row: ROWS[0] },
      ];
      await panel.send({ type: 'replay', events, jobRunning: true });
      await panel.page.waitForSelector('#samples:not([hidden]) figure.sample-grid');
    },
  },
  {
    name: 'generation: θo’s grid is asked of the host and drawn with its label, the forgotten class in words and alt text',
    async run(ctx) {
      const m = await answerImages(ctx.panel, asked, () => PICTURES.original, 1);
      asked += m.length;
      assertEqual(m[0].file, gridFile(rootOf(ctx), 'original'), 'the file asked for');
      const f = await figureOf(ctx, 'original', (x) => x.naturalWidth > 0);
      assertEqual(f.naturalWidth, PICTURES.original.width, 'decoded width (the data: URI passed the CSP)');
      assert(
        f.caption.includes('θo') && f.caption.includes('Forgotten class: Sneaker') && f.caption.includes(`10 classes × ${COLUMNS} seeds`),
        `caption "${f.caption}"`,
      );
      assert(f.alt.includes('Samples generated by θo') && f.alt.includes('The forgotten class, Sneaker (row 8), is marked in red'), `alt "${f.alt}"`);
      assert(f.src.startsWith('data:image/png;base64,'), 'a data: URI');
      assert(/Generation unlearning/.test((await ctx.panel.page.textContent('.job-title')) ?? ''), 'the job title names the kind');
    },
  },
  {
    name: 'generation: SalUn’s part-way grid, then a newer one of the same stage replaces it; Retrain comes last',
    async run(ctx) {
      const { panel } = ctx;
      const root = rootOf(ctx);
      await panel.send({ type: 'event', event: samples(root, 'salun', 'SalUn, iteration 100/200', 100) });
      asked += (await answerImages(panel, asked, () => PICTURES.partWay, 1)).length;
      const partWay = await figureOf(ctx, 'salun', (x) => x.naturalWidth > 0);
      assert(partWay.caption.includes('iteration 100'), `caption "${partWay.caption}"`);
      assert(partWay.alt.includes('at iteration 100'), `alt "${partWay.alt}"`);

      await panel.send({ type: 'event', event: samples(root, 'salun', 'SalUn') });
      // Until the host answers, the older picture stays, dimmed, under the new caption.
      const waiting = await figureOf(ctx, 'salun', (x) => x.seq !== partWay.seq);
      assert(waiting.stale && waiting.caption.includes('final'), `while loading: stale ${waiting.stale}, caption "${waiting.caption}"`);
      const m = await answerImages(panel, asked, () => PICTURES.salun, 1);
      asked += m.length;
      assertEqual(m[0].file, gridFile(root, 'salun'), 'the newer grid’s file');
      const final = await figureOf(ctx, 'salun', (x) => x.seq !== partWay.seq && !x.stale && x.naturalWidth > 0);
      assert(!final.alt.includes('iteration'), `alt of the final grid "${final.alt}"`);
      assert(final.src === PICTURES.salun.dataUri, 'the newer picture is drawn');

      await panel.send({ type: 'event', event: samples(root, 'retrain', 'Retrain') });
      asked += (await answerImages(panel, asked, () => PICTURES.retrain, 1)).length;
      await figureOf(ctx, 'retrain', (x) => x.naturalWidth > 0);
      assertEqual((await figures(ctx)).map((f) => f.stage).join(','), 'original,salun,retrain', 'grid order');
    },
  },
  {
    name: 'generation: the metrics table prints each model’s figures, FID-classifier labelled as our classifier’s',
    async run({ panel }) {
      for (const row of ROWS.slice(1)) await panel.send({ type: 'event', event: { type: 'generationMetrics', row } });
      await until('3 metric rows', async () => (await panel.page.locator('#samples table.generation tbody tr').count()) === 3);
      const drawn = await panel.page.$$eval('#samples table.generation tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
      ROWS.forEach((r, i) => assertEqual(JSON.stringify(drawn[i]), JSON.stringify(expectedCells(r)), `row ${r.label}`));
      const fid = panel.page.locator('#samples table.generation th.fid-head');
      assert(((await fid.textContent()) ?? '').startsWith('FID-classifier'), 'FID-classifier column label');
      const title = (await fid.getAttribute('title')) ?? '';
      assert(title.includes('penultimate features') && title.includes('not Inception'), `tooltip "${title}"`);
      const note = (await panel.page.textContent('#fid-note')) ?? '';
      assert(note.includes('Fashion-MNIST classifier') && note.includes('not Inception'), `footnote "${note}"`);
      assertEqual(await fid.getAttribute('aria-describedby'), 'fid-note', 'the column points at its footnote');
    },
  },
  {
    name: `generation: the metrics table fits (as cards when narrow) at ${WIDTHS.join(', ')} px, no cell cut`,
    async run({ panel }) {
      const failures: string[] = [];
      try {
        for (const width of WIDTHS) {
          await panel.page.setViewportSize({ width, height: 900 });
          await panel.frame();
          // The classification job's tables are gone with it: what is left is the generation table.
          const problems = await tableProblems(panel, ['table.generation']);
          if (problems.length) failures.push(`${width} px: ${problems.join('; ')}`);
        }
      } finally {
        await panel.page.setViewportSize({ width: 420, height: 900 });
        await panel.frame();
      }
      assert(failures.length === 0, failures.join('\n'));
    },
  },
  {
    name: 'generation: Export PNG is a focusable button that asks the host to save that grid, and says where it went',
    async run(ctx) {
      const { panel } = ctx;
      const button = panel.page.locator('#samples vscode-button[data-export-grid="salun"]');
      await button.focus();
      assert(await button.evaluate((b) => b === document.activeElement || b.matches(':focus-within')), 'the button takes keyboard focus');
      await button.click();
      const [req] = await panel.nthPosted('exportSampleGrid', 1);
      assertEqual(req.file, gridFile(rootOf(ctx), 'salun'), 'file');
      assertEqual(req.fileName, `salun-samples-${RUN_ID}-salun.png`, 'file name');
      await panel.reply(Number(req.requestId), { saved: true, path: '/home/user/salun-grid.png' });
      await until('the saved note', async () =>
        ((await panel.page.textContent('#samples figure[data-stage="salun"] .export-status')) ?? '').includes('Saved to /home/user/salun-grid.png'),
      );
    },
  },
  {
    name: 'generation: screenshot of the section (.artifacts/webview/generation-panel.png, docs/screenshots/)',
    async run(ctx) {
      const { panel, artifacts } = ctx;
      await panel.page.locator('#samples').scrollIntoViewIfNeeded();
      const shot = join(artifacts, 'generation-panel.png');
      await panel.page.locator('#samples').screenshot({ path: shot });
      const docs = join(rootOf(ctx), 'docs', 'screenshots');
      mkdirSync(docs, { recursive: true });
      copyFileSync(shot, join(docs, 'generation-panel.png'));
    },
  },
  {
    name: 'generation: after a reload the grids come back from the saved paths (no image bytes saved), asked anew',
    async run(ctx) {
      const { panel } = ctx;
      await sleep(PERSIST_WAIT_MS);
      const saved = JSON.stringify(await panel.page.evaluate(() => sessionStorage.getItem('__vscodeState')));
      assert(!saved.includes('data:image'), 'the saved state holds image bytes');
      await panel.reload();
      // A fresh page: its own log of posted messages starts empty.
      const m = await answerImages(
        panel,
        0,
        (file) => (file.endsWith('original.png') ? PICTURES.original : file.endsWith('retrain.png') ? PICTURES.retrain : PICTURES.salun),
        3,
      );
      asked = m.length;
      assertEqual(
        m
          .map((x) => String(x.file).split('/').pop())
          .sort()
          .join(','),
        'original.png,retrain.png,salun.png',
        'grids asked after the reload',
      );
      for (const stage of ['original', 'salun', 'retrain']) await figureOf(ctx, stage, (x) => x.naturalWidth > 0);
      const drawn = await figures(ctx);
      assertEqual(drawn.map((f) => f.stage).join(','), 'original,salun,retrain', 'grid order after the reload');
      assert(drawn[1].src === PICTURES.salun.dataUri, 'SalUn’s final grid after the reload');
      assertEqual(await panel.page.locator('#samples table.generation tbody tr').count(), ROWS.length, 'metric rows after the reload');
    },
  },
  {
    name: 'generation: Open in Panel on a past generation run shows its grids and figures; Show live trends brings the live job’s back',
    async run(ctx) {
      const { panel } = ctx;
      const root = rootOf(ctx);
      const pastDir = join(root, '.salun', 'runs', PAST_RUN_ID);
      const pastGrid = (stage: string, label: string): SampleGridDescription => {
        const { type: _type, ...grid } = samples(root, stage, label) as Extract<JobEvent, { type: 'samples' }>;
        return { ...grid, file: join(pastDir, 'samples', `${stage}.png`) };
      };
      const pastRows = [ROWS[0], { ...ROWS[1], ua: 91.25 }];
      const trend: Extract<HostToWebview, { type: 'runTrend' }> = {
        type: 'runTrend',
        runId: PAST_RUN_ID,
        runDir: pastDir,
        label: `Run ${PAST_RUN_ID} (finished)`,
        state: 'finished',
        points: [],
        reference: {},
        skippedLines: 0,
        // The host sends them in file-name order; the panel puts θo first.
        generation: { grids: [pastGrid('salun', 'SalUn'), pastGrid('original', 'θo')], rows: pastRows },
      };
      await panel.send(trend);
      const m = await answerImages(panel, asked, (file) => (file.endsWith('original.png') ? PICTURES.original : PICTURES.partWay), 2);
      asked += m.length;
      assertEqual(
        m
          .map((x) => String(x.file))
          .sort()
          .join(','),
        [join(pastDir, 'samples', 'original.png'), join(pastDir, 'samples', 'salun.png')].join(','),
        'the past run’s grids asked of the host',
      );
      await until('the past run’s SalUn grid', async () => (await figures(ctx)).find((f) => f.stage === 'salun' && f.src === PICTURES.partWay.dataUri));
      const drawn = await figures(ctx);
      assertEqual(drawn.map((f) => f.stage).join(','), 'original,salun', 'the past run’s stages, θo first (no Retrain in it)');
      assertEqual(await panel.page.getAttribute('#samples', 'data-source'), 'run', 'the section says it shows a run');
      const cells = await panel.page.$$eval('#samples table.generation tbody tr', (trs) => trs.map((tr) => tr.children[1]?.textContent ?? ''));
      assertEqual(cells.join(','), '3.1,91.3', 'the past run’s UA column');

      await panel.page.click('#trend vscode-button[data-action="showLiveTrend"]');
      const back = await answerImages(
        panel,
        asked,
        (file) => (file.endsWith('original.png') ? PICTURES.original : file.endsWith('retrain.png') ? PICTURES.retrain : PICTURES.salun),
        3,
      );
      asked += back.length;
      await until('the live job’s grids again', async () => (await figures(ctx)).map((f) => f.stage).join(',') === 'original,salun,retrain');
      assertEqual(await panel.page.getAttribute('#samples', 'data-source'), 'live', 'the section is the live job’s again');
      assertEqual(await panel.page.locator('#samples table.generation tbody tr').count(), ROWS.length, 'the live job’s metric rows');
    },
  },
];
