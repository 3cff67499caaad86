// Records test/fixtures/job-progress.json: real jobs of every kind (dist/job.js, forked as the
// supervisor does, wasm, tiny recipes) and their phase/progress skeleton with the time of each event,
// the whole-job figure stripped (test/unit/jobProgress.unit.test.ts stamps it again with today's
// plans), progress thinned to at most 6 events a phase. Rerun after the engine's order of stages
// changes:  npm run build && node scripts/record-job-progress.mjs  (about 2 minutes)
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'salun-progress-rec-'));
function runJob(kind, config, ws) {
  return new Promise((res, rej) => {
    const child = fork(join(root, 'dist', 'job.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const events = [];
    const t0 = Date.now();
    child.on('message', (m) => {
      if (['started', 'phase', 'progress', 'finished', 'failed', 'cancelled'].includes(m.type)) events.push({ t: Date.now() - t0, ...m });
    });
    child.on('error', rej);
    child.on('exit', () => res(events));
    child.send({ type: 'start', kind, config, workspaceDir: ws });
  });
}
const { defaultRunConfig } = await import(join(root, 'out/src/protocol/defaults.js'));
const { defaultTableConfig } = await import(join(root, 'out/src/protocol/table.js'));
const { defaultGenerationConfig } = await import(join(root, 'out/src/protocol/generationConfig.js'));
const c = defaultRunConfig();
const run = {
  ...c,
  model: { kind: 'builtin', architecture: 'mlp' },
  backend: 'wasm',
  train: { ...c.train, epochs: 2, lr: 0.05 },
  unlearn: { ...c.unlearn, epochs: 2, lr: 0.01 },
  retrain: true,
};
const t = defaultTableConfig();
const study = {
  scenario: t.scenario,
  data: t.data,
  model: { kind: 'builtin', architecture: 'mlp' },
  train: { ...t.train, epochs: 1 },
  backend: 'wasm',
  trainSubset: 1000,
};
const g = defaultGenerationConfig();
const gen = {
  ...g,
  backend: 'wasm',
  retrain: true,
  train: { ...g.train, iterations: 6, batchSize: 16 },
  unlearn: { ...g.unlearn, iterations: 6, batchSize: 8 },
  sampling: { ...g.sampling, ddimSteps: 2, samplesPerClass: 2, gridColumns: 2, every: 3 },
  classifier: { ...g.classifier, train: { ...g.classifier.train, epochs: 1 } },
};
const jobs = {
  'run-fresh': async (ws) => ['run', run],
  'run-cached': async (ws) => {
    await runJob('run', run, ws);
    return ['run', run];
  },
  saliency: async (ws) => [
    'saliency',
    { data: run.data, model: run.model, forget: run.forget, saliency: run.saliency, train: run.train, seed: 1, backend: 'wasm' },
  ],
  'evaluate-file': async (ws) => {
    const ev = await runJob('run', { ...run, retrain: false }, ws);
    const dir = ev.find((e) => e.type === 'started').runDir;
    return [
      'evaluate',
      {
        data: run.data,
        model: { kind: 'file', path: join(dir, 'model', 'model.json') },
        forget: run.forget,
        train: run.train,
        retrain: true,
        seed: 1,
        backend: 'wasm',
      },
    ];
  },
  table: async (ws) => ['table', { ...study, seeds: [1, 2], methods: ['ft', 'salun'], saliency: t.saliency }],
  grid: async (ws) => ['grid', { ...study, seed: 1, method: 'salun', axes: [{ param: 'lr', values: [0.01, 0.02] }] }],
  generation: async (ws) => ['generation', gen],
};
for (const [name, make] of Object.entries(jobs)) {
  const ws = mkdtempSync(join(tmpdir(), 'salun-prog-'));
  const [kind, config] = await make(ws);
  const t0 = Date.now();
  const events = await runJob(kind, config, ws);
  writeFileSync(join(out, `${name}.json`), JSON.stringify({ kind, config, events }));
  const last = events[events.length - 1];
  console.log(
    name,
    kind,
    events.length,
    'events',
    ((Date.now() - t0) / 1000).toFixed(1),
    's',
    last?.type,
    last?.type === 'failed' ? JSON.stringify(last.error) : '',
  );
}

const fixture = join(root, 'test', 'fixtures', 'job-progress.json');
const names = Object.keys(jobs);
const jobs_ = [];

for (const name of names) {
  const r = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
  const events = [];
  let segment = [];
  const flush = () => {
    const n = segment.length;
    const keep = n <= 6 ? segment : Array.from({ length: 6 }, (_, k) => segment[Math.round(((k + 1) * n) / 6) - 1]);
    events.push(...keep);
    segment = [];
  };
  for (const e of r.events) {
    const { overall, ...rest } = e;
    if (rest.type === 'started')
      ((rest.runDir = '/ws/run'), (rest.backend = { name: 'wasm', reason: 'forced by configuration; wasm', detail: 'wasm SIMD, 1 thread' }));
    if (rest.type === 'finished')
      rest.result = {
        runId: rest.result.runId,
        runDir: '/ws/run',
        backend: rest.backend ?? { name: 'wasm', reason: 'forced by configuration; wasm', detail: 'wasm SIMD, 1 thread' },
        rows: [],
      };
    if (rest.type === 'phase') rest.label = rest.label.replace(/\/tmp\/salun-prog-[^/ ]+/g, '/ws');
    if (rest.type === 'progress') segment.push(rest);
    else {
      flush();
      events.push(rest);
    }
  }
  flush();
  const config = JSON.parse(JSON.stringify(r.config).replace(/\/tmp\/salun-prog-[^/"]+/g, '/ws'));
  jobs_.push({ name, kind: r.kind, config, events });
}
writeFileSync(
  fixture,
  JSON.stringify(
    {
      source: `dist/job.js, wasm, tiny recipes (MLP; a 14×14 DDPM of a few steps), recorded ${new Date().toISOString()}; events: t (ms since the job started) and the event, the whole-job figure stripped`,
      jobs: jobs_,
    },
    null,
    0,
  ) + '\n',
);
