// The rules of the guided commands (New Unlearning Run, Evaluate Model, the table, Re-run) without
// VS Code: what each answer may be, and that every config they build passes the job's own parser.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultRunConfig } from '../../src/protocol/defaults';
import { parseEvaluateJobConfig, parseRunConfig, ConfigError } from '../../src/protocol/runConfigSchema';
import { tableConfigProblems } from '../../src/protocol/table';
import { METHOD_NAMES } from '../../src/protocol/config';
import { DEFAULT_METHOD, defaultUnlearnRecipe, isRecommendedMethod, METHODS } from '../../src/protocol/methods';
import { saliencyZeros } from '../../src/store/saliency/zeros';
import {
  answersToRemember,
  asksNormalize,
  liftNormalize,
  methodPickItems,
  saliencyNote,
  saliencyQuestionOf,
  completeAnswers,
  epochsProblem,
  prefillAnswers,
  evaluateConfigFor,
  hyperDefaults,
  innerPickItems,
  methodAsksRatio,
  methodAsksRecipe,
  lrProblem,
  parseFraction,
  ratioProblem,
  rememberedAnswers,
  runConfigFromAnswers,
  summaryLines,
  tableConfigFromAnswers,
  type NewRunAnswers,
} from '../../src/extension/flows/newRunAnswers';
import { missingIdxFiles } from '../../src/store/data/idxLayout';
import { rerunCommand } from '../../src/extension/runs/rerunCommand';
import { defaultGenerationConfig } from '../../src/protocol/generationConfig';

const answers: NewRunAnswers = {
  model: { kind: 'builtin', architecture: 'mlp' },
  data: { kind: 'default' },
  forget: { kind: 'class', classIndex: 3 },
  method: 'rl',
  epochs: 2,
  lr: 0.02,
  ratio: 0.3,
};

describe('New Unlearning Run: answers', () => {
  it('reads a forget fraction as a fraction or a percentage, strictly between 0 and 1', () => {
    assert.equal(parseFraction('0.1'), 0.1);
    assert.equal(parseFraction(' 10% '), 0.1);
    assert.equal(parseFraction('50 %'), 0.5);
    for (const bad of ['0', '1', '100%', '0%', '-0.1', 'ten', '', '1.5']) {
      const r = parseFraction(bad);
      assert.equal(typeof r, 'string', bad);
      assert.match(r as string, /strictly between 0 and 1/);
    }
  });

  it('validates epochs, learning rate and mask ratio, saying what to type', () => {
    assert.equal(epochsProblem('5'), undefined);
    for (const bad of ['0', '2.5', '', 'x', '1001']) assert.match(epochsProblem(bad) ?? '', /whole number of epochs/, bad);
    assert.equal(lrProblem('0.005'), undefined);
    assert.equal(lrProblem('1e-4'), undefined);
    for (const bad of ['0', '-1', '', '11']) assert.match(lrProblem(bad) ?? '', /learning rate/, bad);
    assert.equal(ratioProblem('1'), undefined);
    for (const bad of ['0', '1.1', '']) assert.match(ratioProblem(bad) ?? '', /share of weights/, bad);
  });

  it('names the idx files a folder lacks, accepting plain or .gz', () => {
    const files = new Set(['/d/train-images-idx3-ubyte.gz', '/d/train-labels-idx1-ubyte', '/d/t10k-images-idx3-ubyte']);
    assert.deepEqual(
      missingIdxFiles('/d', (p) => files.has(p)),
      ['t10k-labels-idx1-ubyte'],
    );
    assert.deepEqual(
      missingIdxFiles('/d/', (p) => files.has(p) || p === '/d/t10k-labels-idx1-ubyte.gz'),
      [],
    );
  });

  it('prefills each method from its default recipe, and describes every method', () => {
    for (const m of METHOD_NAMES) {
      assert.deepEqual(
        { epochs: hyperDefaults(m).epochs, lr: hyperDefaults(m).lr },
        { epochs: defaultUnlearnRecipe(m).epochs, lr: defaultUnlearnRecipe(m).lr },
      );
      assert.ok(METHODS[m].description.length > 10, m);
    }
  });

  it('builds a run config the job accepts: the answers over the settings, Retrain always on', () => {
    const base = { ...defaultRunConfig(), backend: 'wasm' as const, seed: 7 };
    const c = runConfigFromAnswers(answers, base);
    assert.deepEqual(parseRunConfig(c), c);
    assert.equal(c.method, 'rl');
    assert.deepEqual(c.model, answers.model);
    assert.deepEqual(c.forget, { kind: 'class', classIndex: 3 });
    assert.deepEqual(c.unlearn, { ...defaultUnlearnRecipe('rl'), epochs: 2, lr: 0.02 });
    assert.equal(c.saliency.ratio, 0.3);
    assert.equal(c.retrain, true);
    assert.equal(c.backend, 'wasm');
    assert.equal(c.seed, 7);
    const random = runConfigFromAnswers({ ...answers, forget: { kind: 'random', fraction: 0.2 } }, base);
    assert.deepEqual(random.forget, { kind: 'random', fraction: 0.2, seed: 7 });
  });

  it("asks RUM's inner method, and the run config, recipe and mask question follow it", () => {
    const base = { ...defaultRunConfig(), backend: 'wasm' as const, seed: 7 };
    assert.deepEqual(
      innerPickItems('rum')
        .map((i) => i.method)
        .slice(0, 1),
      ['salun'],
      'the row default first',
    );
    assert.ok(!innerPickItems('rum').some((i) => i.method === 'rum'), 'RUM does not run itself');
    assert.deepEqual(innerPickItems('rl'), [], 'no question for a method that runs no other');
    const rum = runConfigFromAnswers({ ...answers, method: 'rum', inner: 'ssd' }, base);
    assert.deepEqual(parseRunConfig(rum), rum);
    assert.deepEqual(rum.methodOptions, { rum: { inner: 'ssd' } });
    // SSD is one-shot and maskless: RUM around it asks neither a recipe nor a ratio; around SalUn both.
    assert.deepEqual([methodAsksRecipe('rum', 'ssd'), methodAsksRatio('rum', 'ssd')], [false, false]);
    assert.deepEqual([methodAsksRecipe('rum', 'salun'), methodAsksRatio('rum', 'salun')], [true, true]);
    assert.deepEqual(hyperDefaults('rum', 'rl').lr, defaultUnlearnRecipe('rl').lr);
    assert.equal(runConfigFromAnswers(answers, base).methodOptions, base.methodOptions, 'no options for another method');
    assert.match(summaryLines({ ...answers, method: 'rum', inner: 'ssd' }, [])[3].text, /RUM around SSD/);
    assert.equal(rememberedAnswers({ ...answers, inner: 'ssd' }).inner, undefined, "an inner answer is kept only for RUM's row");
    assert.equal(completeAnswers({ ...answers, method: 'rum', inner: 'rum' })?.inner, undefined);
  });

  it('remembers answers field by field, dropping what is stale or ill-typed', () => {
    assert.deepEqual(rememberedAnswers(JSON.parse(JSON.stringify(answers))), answers);
    assert.deepEqual(rememberedAnswers(undefined), {});
    assert.deepEqual(
      rememberedAnswers({ ...answers, model: { kind: 'onnx' }, method: 'magic', epochs: 0, lr: 'fast', forget: { kind: 'random', fraction: 2 } }),
      { data: answers.data, ratio: answers.ratio },
    );
    assert.deepEqual(completeAnswers(answers), answers);
    assert.equal(completeAnswers({ ...answers, lr: undefined }), undefined);
  });

  it('summarises the answers with the class name, Retrain glossed, and the scaling only for a model file', () => {
    const lines = summaryLines(answers, ['T-shirt/top', 'Trouser', 'Pullover', 'Dress']);
    assert.deepEqual(
      lines.map((l) => l.question),
      ['model', 'data', 'forget', 'method', 'hyper'],
    );
    assert.match(lines[2].text, /class 3 \(Dress\)/);
    assert.match(lines[3].text, /RL, compared with Retrain and the original model/);
    assert.match(lines[3].detail ?? '', /Retrain \(a model trained without the data to forget\)/);
    const own = summaryLines({ ...answers, model: { kind: 'file', path: '/m/model.json' }, normalize: 'centered' }, []);
    assert.deepEqual(
      own.map((l) => l.question),
      ['model', 'data', 'normalize', 'forget', 'method', 'hyper'],
    );
    assert.equal(own[2].text, 'Inputs: Normalize(0.5, 0.5): pixels in [-1, 1]');
    // Not asked, not answered: the default, said as the user wrote it.
    assert.equal(summaryLines({ ...answers, model: { kind: 'file', path: '/m/model.json' } }, [])[2].text, 'Inputs: ToTensor() only: pixels in [0, 1]');
  });

  it("puts a model file's input scaling into the run's data.normalize; a built-in θo keeps the default it is trained on", () => {
    const base = defaultRunConfig();
    const own: NewRunAnswers = { ...answers, model: { kind: 'file', path: '/m/model.json' }, normalize: 'standardize' };
    const c = runConfigFromAnswers(own, base);
    assert.deepEqual(c.data, { kind: 'default', normalize: 'standardize' });
    assert.deepEqual(parseRunConfig(c), c);
    assert.deepEqual(runConfigFromAnswers({ ...own, normalize: 'unit' }, base).data, { kind: 'default' });
    assert.deepEqual(runConfigFromAnswers({ ...answers, normalize: 'centered' }, base).data, { kind: 'default' });
    assert.equal(asksNormalize(own.model), true);
    assert.equal(asksNormalize(answers.model), false);
  });

  it('remembers the scaling answer, drops an unknown one, and lifts salun.data.normalize out of the data answer', () => {
    assert.equal(rememberedAnswers({ ...answers, normalize: 'centered' }).normalize, 'centered');
    assert.equal(rememberedAnswers({ ...answers, normalize: 'minmax' }).normalize, undefined);
    assert.equal(completeAnswers({ ...answers, normalize: 'standardize' })?.normalize, 'standardize');
    assert.deepEqual(liftNormalize({ data: { kind: 'idx', dir: '/d', normalize: 'centered' } }), { data: { kind: 'idx', dir: '/d' }, normalize: 'centered' });
    const plain = { data: { kind: 'default' as const }, normalize: 'standardize' as const };
    assert.deepEqual(liftNormalize(plain), plain);
  });
});

describe('New Unlearning Run: the method pick list', () => {
  const items = methodPickItems();

  it('lists every method with a short description beside the label and the long text on its own detail line', () => {
    assert.deepEqual(
      items.map((i) => i.method),
      METHOD_NAMES,
    );
    for (const i of items) {
      // A quick pick is 600 px wide: about 75 characters of label + description, 95 of detail, before an ellipsis.
      const visible = i.label.replace(/\$\([^)]*\)/g, '□').length + 1 + i.description.length;
      assert.ok(visible <= 70, `cut beside the label: ${i.label} ${i.description} (${visible})`);
      assert.ok(i.detail.length > 20 && i.detail.length <= 100, `detail cut or empty: ${i.detail} (${i.detail.length})`);
      assert.ok(!i.description.includes(i.detail), i.method);
    }
  });

  it('marks exactly one method recommended, the one a fresh run starts with', () => {
    const marked = items.filter((i) => /recommended/.test(i.description));
    assert.equal(marked.length, 1, marked.map((i) => i.method).join(', '));
    assert.equal(marked[0].method, DEFAULT_METHOD);
    assert.match(marked[0].label, /\$\(star-full\)/);
    assert.deepEqual(
      METHOD_NAMES.filter((m) => isRecommendedMethod(m)),
      [DEFAULT_METHOD],
    );
  });
});

describe('New Unlearning Run: the summary on zero saliency scores', () => {
  // 58 of 100 scores 0: more than half, so ratio 0.5 reaches into the zeros.
  const zeros = saliencyZeros({ names: ['w'], shapes: [[100]], scores: [Float32Array.from({ length: 100 }, (_, i) => (i < 58 ? 0 : i / 100))] });

  it('says that ratio 0.5 gives γ = 0, and offers the largest ratio with γ > 0', () => {
    const note = saliencyNote({ zeros, runId: 'r1' }, 0.5);
    assert.equal(note.warn, true);
    assert.equal(note.label, '58% of saliency scores are 0: ratio 0.5 gives γ = 0');
    assert.match(note.detail, /filled in weight order; the largest ratio with γ > 0 is 0\.42; from the saliency map of r1/);
    assert.equal(note.ratio, 0.42);
    assert.equal(ratioProblem(String(note.ratio)), undefined);
  });

  it('is calm for a ratio inside the positive scores, and says when every score is 0', () => {
    const ok = saliencyNote({ zeros, runId: 'r1' }, 0.42);
    assert.equal(ok.warn, false);
    assert.equal(ok.ratio, undefined);
    assert.match(ok.label, /ratio 0\.42 keeps γ > 0/);
    const dead = saliencyZeros({ names: ['w'], shapes: [[3]], scores: [new Float32Array(3)] });
    assert.equal(saliencyNote({ zeros: dead, runId: 'r2' }, 0.5).warn, true);
    assert.match(saliencyNote({ zeros: dead, runId: 'r2' }, 0.5).label, /Every saliency score is 0/);
  });

  it("asks about the same map as the run computes: the run's data scaling and seeded forget set", () => {
    const own: NewRunAnswers = { ...answers, model: { kind: 'file', path: '/m/model.json' }, forget: { kind: 'random', fraction: 0.1 }, normalize: 'centered' };
    const q = saliencyQuestionOf(own, { ...defaultRunConfig(), seed: 9 });
    assert.deepEqual(q.data, { kind: 'default', normalize: 'centered' });
    assert.deepEqual(q.forget, { kind: 'random', fraction: 0.1, seed: 9 });
  });
});

describe('New Unlearning Run: prefill from memory and settings', () => {
  it('a setting changed since the last answers (Apply to next run, salun.data) wins; an unchanged one leaves the answer', () => {
    const idx = { kind: 'idx' as const, dir: '/d' };
    const memory = JSON.parse(JSON.stringify(answersToRemember(answers, { ratio: 0.5 }))) as unknown;
    assert.equal(prefillAnswers(memory, { ratio: 0.5 }).ratio, 0.3);
    assert.equal(prefillAnswers(memory, { ratio: 0.165 }).ratio, 0.165);
    // salun.data was unset then and is set now: the setting; the same setting again: the answer.
    assert.deepEqual(prefillAnswers(memory, { ratio: 0.5, data: idx }).data, idx);
    const withData = JSON.parse(JSON.stringify(answersToRemember(answers, { ratio: 0.5, data: idx }))) as unknown;
    assert.deepEqual(prefillAnswers(withData, { ratio: 0.5, data: idx }).data, { kind: 'default' });
    // Nothing remembered: the settings are the prefill. A memory from before settings were kept: the answers.
    assert.deepEqual(prefillAnswers(undefined, { ratio: 0.2, data: idx }), { ratio: 0.2, data: idx });
    assert.equal(prefillAnswers(JSON.parse(JSON.stringify(answers)) as unknown, { ratio: 0.165 }).ratio, 0.3);
  });
});

describe('Evaluate Model, the table and Re-run: configs', () => {
  it('an evaluation takes the data and forget set of the base config', () => {
    const base = { ...defaultRunConfig(), forget: { kind: 'class' as const, classIndex: 1 } };
    const c = evaluateConfigFor({ kind: 'file', path: '/m/model.json' }, base, true);
    assert.deepEqual(parseEvaluateJobConfig(c), c);
    assert.deepEqual(c.forget, { kind: 'class', classIndex: 1 });
    assert.equal(c.retrain, true);
    assert.throws(() => parseEvaluateJobConfig({ model: { kind: 'file' } }), /config\.model\.path is required/);
  });

  it('the table answers give a valid table config with seeds 1…N', () => {
    const t = tableConfigFromAnswers(
      { scenario: { kind: 'class', classIndex: 2 }, seeds: 3, architecture: 'mlp', data: { kind: 'idx', dir: '/data' } },
      defaultRunConfig(),
    );
    assert.deepEqual(tableConfigProblems(t), []);
    assert.deepEqual(t.seeds, [1, 2, 3]);
    assert.deepEqual(t.model, { kind: 'builtin', architecture: 'mlp' });
  });

  it("re-runs a run folder's config.json as the job it recorded", () => {
    const ws = join('/', 'ws');
    const recorded = { ...defaultRunConfig(), kind: 'run', resolved: { forgetSize: 1000 }, versions: { tfjs: '4.22.0' } };
    assert.deepEqual(rerunCommand(recorded, 'config.json', ws), { type: 'start', kind: 'run', config: defaultRunConfig(), workspaceDir: ws });
    const evaluation = { ...evaluateConfigFor({ kind: 'file', path: 'm.json' }, defaultRunConfig(), false), kind: 'evaluate', versions: {}, forgetSize: 3 };
    assert.equal(rerunCommand(evaluation, 'config.json', ws).kind, 'evaluate');
    const generation = { ...defaultGenerationConfig(), methods: ['salun', 'rl'], kind: 'generation', resolved: {}, versions: {} };
    assert.deepEqual(rerunCommand(generation, 'config.json', ws), {
      type: 'start',
      kind: 'generation',
      config: { ...defaultGenerationConfig(), methods: ['salun', 'rl'] },
      workspaceDir: ws,
    });
    assert.throws(
      () => rerunCommand({ ...generation, forgetClass: 'seven' }, 'g/config.json', ws),
      (e: unknown) => e instanceof ConfigError && /g\/config\.json/.test(e.message),
    );
    assert.throws(() => rerunCommand({ kind: 'table' }, 'x/config.json', ws), /x\/config\.json has kind "table"/);
    assert.throws(() => rerunCommand([], 'x/config.json', ws), /not a JSON object/);
    assert.throws(
      () => rerunCommand({ ...recorded, method: 'magic' }, 'x/config.json', ws),
      (e: unknown) => e instanceof ConfigError && /x\/config\.json/.test(e.message),
    );
  });
});
