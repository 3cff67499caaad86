// The automatic recipe (salun-auto, rl-auto): the rule picks what hand-made figures say it should,
// the search runs with no Retrain anywhere (UnlearnInput has no place for one; nothing is trained
// on Dr here), writes an auto.json that validates, and keeps exactly the chosen candidate's model;
// `"unlearn": { "auto": true }` in a run config names the automatic row.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allIndices } from '../../src/engine/data/dataset';
import { autoRates, autoScore, chooseCandidate } from '../../src/engine/methods/autoRule';
import { autoRecipe } from '../../src/engine/methods/salunAuto';
import { unlearn, type UnlearnInput } from '../../src/engine/methods/unlearn';
import { classifierOf, cloneModel, type Classifier } from '../../src/engine/models/io';
import { fit } from '../../src/engine/train/fit';
import { autoReportProblem, type AutoReport } from '../../src/protocol/autoRecipe';
import type { OptimizerRecipe } from '../../src/protocol/config';
import { autoMethodFor, METHOD_NAMES, METHODS, methodsWithAuto, type MethodName, type MethodRow } from '../../src/protocol/methods';
import { ConfigError, parseRunConfig, RUN_CONFIG_SCHEMA } from '../../src/protocol/runConfigSchema';
import { configFileSchemaText } from '../../src/protocol/configFileSchema';
import { tinyMlp, toyImages, useCpu } from '../support/tinyModels';

const root = join(__dirname, '..', '..', '..');

const figures = (
  accuracyGap: number,
  miaGap: number,
  retainGap: number,
  testGap = 0,
): { accuracyGap: number; miaGap: number; retainGap: number; testGap: number } => ({ accuracyGap, miaGap, retainGap, testGap });

describe('automatic recipe: the rule', () => {
  it('scores the Avg. Gap estimated without Retrain: mean(|acc gap|, |MIA gap|, |RA − RA(θo)|, |TA − TA(θo)|)', () => {
    assert.ok(Math.abs(autoScore(figures(6, -3, -4.0, -1)) - (6 + 3 + 4 + 1) / 4) < 1e-12);
    assert.equal(autoScore(figures(0, 0, 0, 0)), 0);
    // RA and TA count either way, as in the Avg. Gap.
    assert.equal(autoScore(figures(0, 0, 2, 0)), autoScore(figures(0, 0, -2, 0)));
    assert.equal(autoScore(figures(0, 0, 0, 2)), autoScore(figures(0, 0, 0, -2)));
  });

  it('picks the candidate whose Df looks most like held-out data at the smallest cost in RA and TA', () => {
    // Hand-made: the low rate still remembers (large gaps), the high one forgets but loses 12 points
    // of RA, the middle one at epoch 3 is close on both; its epoch 5 overshoots the accuracy gap.
    const cands = [
      { lr: 0.001, epoch: 5, ...figures(8, 7, -0.5) },
      { lr: 0.005, epoch: 3, ...figures(2, 1, -2.0) },
      { lr: 0.005, epoch: 5, ...figures(-4, -2, -3.0) },
      { lr: 0.01, epoch: 5, ...figures(0.5, 0.2, -12) },
    ].map((c) => ({ ...c, score: autoScore(c) }));
    assert.equal(chooseCandidate(cands), 1);
    // Without the RA term the high rate would win: the penalty is what rules it out.
    assert.ok(Math.abs(cands[3].accuracyGap) + Math.abs(cands[3].miaGap) < Math.abs(cands[1].accuracyGap) + Math.abs(cands[1].miaGap));
  });

  it('breaks ties towards the lower rate, then the earlier epoch', () => {
    assert.equal(
      chooseCandidate([
        { lr: 0.01, epoch: 1, score: 2 },
        { lr: 0.002, epoch: 4, score: 2 },
        { lr: 0.002, epoch: 2, score: 2 },
        { lr: 0.005, epoch: 1, score: 3 },
      ]),
      2,
    );
    assert.throws(() => chooseCandidate([]), RangeError);
  });

  it("rates: the recipe's rate × {0.2, 0.4, 1, 2}, scaled down by 0.1 / (|Df|/|D|) above 10%, never up", () => {
    const close = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-12);
    assert.ok(close(autoRates(0.005, 1000, 9000).values, [0.001, 0.002, 0.005, 0.01]));
    assert.ok(close(autoRates(0.005, 5000, 5000).values, [0.0002, 0.0004, 0.001, 0.002]));
    assert.ok(close(autoRates(0.005, 100, 9900).values, [0.001, 0.002, 0.005, 0.01]));
    assert.equal(autoRates(0.005, 5000, 5000).scale, 0.2);
  });
});

const recipe: OptimizerRecipe = { epochs: 3, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 8, schedule: 'constant' };

describe('automatic recipe: the search', function () {
  this.timeout(120000);
  before(useCpu);

  const train = toyImages(80, 21);
  const test = toyImages(40, 22);
  const forget = allIndices(80).slice(0, 16);
  const retain = allIndices(80).slice(16);
  let original: Classifier;

  before(async () => {
    // θo that has seen Df: the search has something to forget.
    original = tinyMlp(7);
    await fit({
      clf: original,
      set: train,
      indices: allIndices(80),
      recipe: { epochs: 30, lr: 0.1, momentum: 0.9, weightDecay: 0, batchSize: 8, schedule: 'constant' },
      seed: 1,
    });
  });

  async function copyOf(clf: Classifier): Promise<Classifier> {
    return classifierOf(await cloneModel(clf.model));
  }

  function input(method: MethodName, clf: Classifier, extra: Partial<UnlearnInput> = {}): UnlearnInput {
    return {
      method,
      clf,
      train,
      forget,
      retain,
      recipe,
      seed: 3,
      heldOut: { set: test, indices: allIndices(test.n), source: 'the test set', wholeClass: false },
      test: { set: test, indices: allIndices(test.n) },
      ...extra,
    };
  }

  it('runs with no Retrain anywhere, writes an auto.json that validates, logs its choice and evaluates once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salun-auto-'));
    const lines: string[] = [];
    const epochsSeen: number[] = [];
    const clf = await copyOf(original);
    try {
      await unlearn(
        input('rl-auto', clf, {
          folder: { path: (...parts: string[]) => join(dir, ...parts) },
          log: (_level, message) => lines.push(message),
          onEpoch: async (epoch) => {
            epochsSeen.push(epoch);
          },
        }),
      );
    } finally {
      clf.model.dispose();
    }
    const report = JSON.parse(readFileSync(join(dir, 'auto.json'), 'utf8')) as AutoReport;
    rmSync(dir, { recursive: true, force: true });
    assert.equal(autoReportProblem(report), undefined);
    assert.equal(report.candidates.length, 4 * recipe.epochs);
    // |Df|/|D| = 16/80 = 0.2: the rates 0.05 × {0.2, 0.4, 1, 2} halved.
    assert.deepEqual(
      report.rates.values.map((v) => +v.toFixed(6)),
      [0.005, 0.01, 0.025, 0.05],
    );
    assert.equal(report.chosen.score, Math.min(...report.candidates.map((c) => c.score)));
    assert.ok(report.cost.searchSeconds >= report.cost.recipeSeconds && report.cost.share >= 1);
    assert.deepEqual(epochsSeen, [recipe.epochs], 'the caller evaluates the chosen model once');
    assert.ok(lines.some((l) => l.includes('chose lr')) && lines.some((l) => l.includes('search')), lines.join('\n'));
    assert.equal(autoReportProblem({ ...report, chosen: { ...report.chosen, epoch: 99 } }), 'chosen is not among the candidates');
  });

  it("keeps the chosen candidate's model: the same weights as the base method run at that rate for that many epochs", async () => {
    const auto = await copyOf(original);
    const base = await copyOf(original);
    try {
      const report = await autoRecipe(input('rl-auto', auto), {
        passes: [
          { set: 'forget', loss: 'random-label-ce' },
          { set: 'retain', loss: 'ce' },
        ],
        streamOf: 'rl',
        base: 'rl',
      });
      await unlearn(input('rl', base, { recipe: { ...recipe, lr: report.chosen.lr, epochs: report.chosen.epoch } }));
      const a = auto.model.getWeights().map((w) => Array.from(w.dataSync()));
      const b = base.model.getWeights().map((w) => Array.from(w.dataSync()));
      assert.deepEqual(a, b);
    } finally {
      auto.model.dispose();
      base.model.dispose();
    }
  });

  it('refuses to run without held-out data (it would have nothing to judge by)', async () => {
    const clf = await copyOf(original);
    try {
      await assert.rejects(unlearn(input('rl-auto', clf, { heldOut: undefined })), /held-out/);
    } finally {
      clf.model.dispose();
    }
  });

  it("never reads Retrain: the search's files import nothing from the pipeline, where Retrain is trained", () => {
    for (const file of ['src/engine/methods/salunAuto.ts', 'src/engine/methods/autoRule.ts']) {
      const imports = readFileSync(join(root, file), 'utf8')
        .split('\n')
        .filter((l) => /^import /.test(l));
      assert.ok(imports.length > 0 || file.endsWith('autoRule.ts'));
      for (const l of imports) assert.ok(!/pipeline|methodStep|retrainReference|cachedModel/.test(l), `${file}: ${l}`);
    }
  });
});

describe('automatic recipe: config and table', () => {
  it('"unlearn": { "auto": true } runs the method\'s automatic row; a method without one is a config error', () => {
    const salunAuto = autoMethodFor('salun');
    assert.ok(salunAuto !== undefined && (METHODS[salunAuto] as MethodRow).autoOf === 'salun');
    assert.equal(parseRunConfig({ unlearn: { auto: true } }).method, salunAuto);
    assert.equal(parseRunConfig({ method: 'rl', unlearn: { auto: true } }).method, autoMethodFor('rl'));
    assert.equal(parseRunConfig({ unlearn: { auto: false } }).method, 'salun');
    assert.throws(
      () => parseRunConfig({ method: 'ft', unlearn: { auto: true } }),
      (e: unknown) => e instanceof ConfigError && /no automatic recipe/.test(e.problems[0]),
    );
    assert.deepEqual(methodsWithAuto(), ['salun', 'rl']);
  });

  it('every automatic row names a real, non-automatic method; the config file schema offers unlearn.auto', () => {
    const autos = METHOD_NAMES.filter((m) => (METHODS[m] as MethodRow).autoOf !== undefined);
    assert.equal(autos.length, 2);
    for (const m of autos) {
      const of = (METHODS[m] as MethodRow).autoOf as string;
      assert.ok((METHOD_NAMES as string[]).includes(of) && (METHODS[of as MethodName] as MethodRow).autoOf === undefined, m);
    }
    assert.equal(RUN_CONFIG_SCHEMA.properties?.unlearn?.properties?.auto?.type, 'boolean');
    assert.ok(/"auto": \{\s*"type": "boolean"/.test(configFileSchemaText()));
  });
});
