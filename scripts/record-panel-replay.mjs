// Records the panel's input from a real job: forks the bundled job entry (dist/job.js) exactly as
// the extension's supervisor does, starts a small SalUn run, and writes every JobEvent it emits to
// test/fixtures/panel-replay.json together with the saliency scores' histogram the host derives,
// so the browser test replays real numbers, never invented ones. It also records what "Open in
// Panel" sends for a past run (a runTrend message, made by the host's own reader) together with
// that run's metrics.jsonl as it is on disk, so the test can check the drawn points against the file.
// The workspace folder is written as the placeholder {{workspace}} (the test substitutes its own),
// so the fixture holds no machine's absolute paths.
//   node scripts/record-panel-replay.mjs [--workspace DIR] [--epochs N] [--out FILE] [--events FILE] [--past-run DIR]
// --events FILE reuses recorded events (a JSON array, or an earlier fixture) instead of running the
// job again; the host's answers are then recomputed from the run folder the events name.
// --past-run DIR picks the run folder for the runTrend message; by default the newest other run of
// the workspace whose number of unlearning epochs differs from the job's (so the test can tell the
// two apart), else the job's own folder.
// With the demo's cache in the workspace (θo and Retrain of the CNN), only saliency and the
// unlearning epochs are computed.
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const workspaceDir = resolve(opt('--workspace', root));
const epochs = Number(opt('--epochs', '2'));
const out = resolve(opt('--out', join(root, 'test/fixtures/panel-replay.json')));

const config = {
  name: 'panel-replay',
  data: { kind: 'default' },
  model: { kind: 'builtin', architecture: 'cnn' },
  forget: { kind: 'random', fraction: 0.1, seed: 1 },
  method: 'salun',
  saliency: { ratio: 0.5 },
  unlearn: { epochs },
  seed: 1,
  backend: 'auto',
};

const WORKSPACE_PLACEHOLDER = '{{workspace}}';
/** The workspace path as it appears inside a JSON string. */
const workspaceInJson = JSON.stringify(workspaceDir).slice(1, -1);

const t0 = Date.now();
const earlier = opt('--events') ? JSON.parse(readFileSync(resolve(opt('--events')), 'utf8').replaceAll(WORKSPACE_PLACEHOLDER, workspaceInJson)) : undefined;
const events = earlier ? (Array.isArray(earlier) ? earlier : earlier.events) : await recordJob();
const recordedConfig = earlier?.config ?? config;
const source = earlier?.source ?? `dist/job.js (SalUn, CNN, ${config.unlearn.epochs} unlearning epochs), recorded ${new Date().toISOString()}`;

async function recordJob() {
  const events = [];
  const child = fork(join(root, 'dist/job.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (e) => {
    events.push(e);
    if (e.type === 'phase') console.log(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${e.label}`);
    if (e.type === 'failed') console.error(`failed: ${e.error.message}`);
  });
  child.send({ type: 'start', kind: 'run', config, workspaceDir });
  const code = await new Promise((r) => child.on('exit', r));
  const end = events[events.length - 1];
  if (end?.type !== 'finished') {
    console.error(`the job ended without finishing (exit ${code}, last event ${end?.type})`);
    process.exit(1);
  }
  writeFileSync(`${out}.events.tmp`, JSON.stringify(events));
  return events;
}
const last = events[events.length - 1];

// The host's answers to the panel, computed by the same code the extension runs: the scores
// message, the previews the browser test asks for (keyed "by:value"), and the run list.
const { loadSaliencyScores } = require(join(root, 'out/src/extension/panel/saliencyPreview.js'));
const { comparisonRuns } = require(join(root, 'out/src/extension/runs/comparisonRuns.js'));
const { runTrendMessage } = require(join(root, 'out/src/extension/panel/runTrendMessage.js'));
const preview = loadSaliencyScores(last.result.runDir);
const runs = comparisonRuns([workspaceDir]);

function pickPastRun() {
  if (opt('--past-run')) return resolve(opt('--past-run'));
  const jobEpochs = runTrendMessage(last.result.runDir).message.points.length;
  const other = runs.find((r) => r.dir !== last.result.runDir && runTrendMessage(r.dir).message.points.length !== jobEpochs);
  return other?.dir ?? last.result.runDir;
}
const pastRunDir = pickPastRun();
const pastTrend = runTrendMessage(pastRunDir);
for (const p of pastTrend.problems) console.warn(`past run: ${p}`);
const asked = [
  ['ratio', 0.1],
  ['ratio', 0.2],
  ['ratio', 0.9],
  ['gamma', 0.001],
];
const recorded = {
  source,
  config: recordedConfig,
  events,
  scores: preview.scoresMessage(),
  previews: Object.fromEntries(asked.map(([by, value]) => [`${by}:${value}`, preview.preview(by, value)])),
  runs,
  pastRun: { runTrend: pastTrend.message, metricsJsonl: readFileSync(join(pastRunDir, 'metrics.jsonl'), 'utf8') },
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(recorded).replaceAll(workspaceInJson, WORKSPACE_PLACEHOLDER)}\n`);
rmSync(`${out}.events.tmp`, { force: true });
console.log(`wrote ${out}: ${events.length} events; past run ${pastTrend.message.runId} (${pastTrend.message.points.length} epochs)`);
