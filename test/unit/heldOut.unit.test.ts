// data.heldOut: training rows set aside before anything trains, the unseen reference of
// the verdict and salun-auto. The split is a partition (disjoint, complete, seeded); a run with it
// trains θo on the other rows only (its own cache entry), forgets and retains among them, and its
// verdict compares Df with exactly those held-out rows; combinations it cannot honour fail by name.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allIndices, sampleSize, type ImageSet, type SplitData } from '../../src/engine/data/dataset';
import { withHeldOut } from '../../src/engine/data/heldOut';
import { collectSampleOutputs, unseenReference } from '../../src/engine/metrics/sampleOutputs';
import { prepare, startBackend } from '../../src/engine/pipeline/classification/prepare';
import type { JobContext } from '../../src/engine/pipeline/shared/jobContext';
import { UserError } from '../../src/store/errors';
import { RUN_CONFIG_SCHEMA } from '../../src/protocol/runConfigSchema';
import { validate } from '../../src/protocol/schema';
import { studyOptions } from '../../src/cli/studyArgs';
import { dataText } from '../../src/protocol/dataFormats';
import { tinyIdxFolder, tinyRunConfig, runJob } from '../support/tinyRuns';

function syntheticSet(n: number, numClasses: number): ImageSet {
  const images = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) images[i * 4] = i; // row i is recognisable by its first pixel
  return { images, labels: Int32Array.from(allIndices(n), (i) => i % numClasses), n, height: 2, width: 2, channels: 1, numClasses, source: 'synthetic' };
}

const rowIds = (set: ImageSet): number[] => Array.from({ length: set.n }, (_, i) => set.images[i * sampleSize(set)]);

function rowHashes(set: ImageSet): Set<string> {
  const size = sampleSize(set);
  return new Set(
    Array.from({ length: set.n }, (_, i) =>
      createHash('sha1')
        .update(set.images.subarray(i * size, (i + 1) * size))
        .digest('hex'),
    ),
  );
}

describe('withHeldOut: a seeded partition of the training rows', () => {
  const data: SplitData = { train: syntheticSet(100, 4), test: syntheticSet(10, 4) };

  it('removes exactly N rows, keeps the rest in file order, and loses or repeats none', () => {
    const { data: kept, heldOut } = withHeldOut(data, 20, 7);
    assert.ok(heldOut);
    assert.equal(heldOut.n, 20);
    assert.equal(kept.train.n, 80);
    const a = rowIds(kept.train);
    const b = rowIds(heldOut);
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      a,
      'kept rows in file order',
    );
    assert.deepEqual(
      [...a, ...b].sort((x, y) => x - y),
      Array.from(allIndices(100)),
    );
    // Labels travel with their rows.
    for (let i = 0; i < heldOut.n; i++) assert.equal(heldOut.labels[i], b[i] % 4);
    assert.equal(kept.test, data.test, 'the test set is untouched');
  });

  it('the same seed holds out the same rows; another seed other rows', () => {
    assert.deepEqual(rowIds(withHeldOut(data, 20, 7).heldOut!), rowIds(withHeldOut(data, 20, 7).heldOut!));
    assert.notDeepEqual(rowIds(withHeldOut(data, 20, 7).heldOut!), rowIds(withHeldOut(data, 20, 8).heldOut!));
  });

  it('none asked for: the same data object, no held-out set', () => {
    for (const n of [undefined, 0]) {
      const r = withHeldOut(data, n, 1);
      assert.equal(r.data, data);
      assert.equal(r.heldOut, undefined);
    }
  });

  it('refuses a fraction, a negative count and more than half of the rows, naming the count', () => {
    for (const n of [0.5, -3, 51])
      assert.throws(
        () => withHeldOut(data, n, 1),
        (e: Error) => e instanceof UserError && e.message.includes(String(n)),
      );
    assert.equal(withHeldOut(data, 50, 1).heldOut?.n, 50);
  });

  it('unseenReference: the held-out rows when there are, else the test set; class-wise only that class', () => {
    const { heldOut } = withHeldOut(data, 20, 7);
    const all = unseenReference(data.test, heldOut, undefined);
    assert.equal(all.set, heldOut);
    assert.equal(all.indices.length, 20);
    assert.match(all.source, /20 rows held out of the training data/);
    const cls = unseenReference(data.test, heldOut, 2);
    assert.ok(cls.indices.length > 0 && Array.from(cls.indices).every((i) => heldOut!.labels[i] === 2));
    assert.match(cls.source, /class 2's rows of the 20 rows held out/);
    const test = unseenReference(data.test, undefined, undefined);
    assert.equal(test.set, data.test);
    assert.equal(test.source, 'the test set');
  });
});

describe('data.heldOut in the config and on the command line', () => {
  it('the schema takes a whole count and refuses a fraction or a negative', () => {
    const base = tinyRunConfig('/nowhere', 'mlp', 'cpu');
    assert.equal(validate({ ...base, data: { ...base.data, heldOut: 100 } }, RUN_CONFIG_SCHEMA).length, 0);
    for (const bad of [0.1, -1, 'x'])
      assert.ok(validate({ ...base, data: { ...base.data, heldOut: bad } }, RUN_CONFIG_SCHEMA).length > 0, `heldOut ${String(bad)}`);
  });

  it('reports and tables name it beside the data', () => {
    assert.equal(dataText({ kind: 'default', heldOut: 1000 }), 'bundled Fashion-MNIST subset, 1000 training rows held out');
    assert.equal(dataText({ kind: 'default' }), 'bundled Fashion-MNIST subset');
  });

  it('--held-out N sets data.heldOut; 0 leaves it out', () => {
    assert.equal(studyOptions({ 'held-out': '500' }).data.heldOut, 500);
    assert.equal(studyOptions({ 'held-out': '0' }).data.heldOut, undefined);
  });
});

describe('a run with data.heldOut', function () {
  this.timeout(240_000);
  const dir = tinyIdxFolder(300, 100);
  const config = { ...tinyRunConfig(dir, 'mlp', 'cpu'), data: { kind: 'idx' as const, dir, heldOut: 60 } };
  let ws: string;

  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'salun-held-out-'));
  });

  it('trains θo without the held-out rows, in a cache entry of its own, and forgets only among the others', async () => {
    const ctx: JobContext = { workspaceDir: ws, signal: new AbortController().signal, emit: () => undefined };
    const plain = tinyRunConfig(dir, 'mlp', 'cpu');
    const p0 = await prepare(plain, ctx, await startBackend(plain, ctx));
    const p = await prepare(config, ctx, await startBackend(config, ctx));
    try {
      assert.equal(p0.heldOut, undefined);
      assert.ok(p.heldOut);
      assert.equal(p.heldOut.n, 60);
      assert.equal(p.data.train.n, 240);
      assert.equal(p.split.forget.length + p.split.retain.length, 240);
      assert.notEqual(p.dataFingerprint, p0.dataFingerprint);
      assert.equal(p.originalFrom, 'trained', 'θo without the held-out rows is not the cached θo trained on all of them');
      const trained = rowHashes(p.data.train);
      for (const h of rowHashes(p.heldOut)) assert.ok(!trained.has(h), 'a held-out row is in the training set');
    } finally {
      p0.original.model.dispose();
      p.original.model.dispose();
    }
  });

  it("the verdict compares Df with the held-out rows, whose accuracy the run's θo has on them", async () => {
    const { result } = await runJob(config, ws);
    const original = result.rows.find((r) => r.role === 'original');
    const v = original?.verdict;
    assert.ok(v);
    assert.equal(v.heldOut.size, 60);
    assert.match(v.heldOut.source, /60 rows held out of the training data/);
    const ctx: JobContext = { workspaceDir: ws, signal: new AbortController().signal, emit: () => undefined };
    const p = await prepare(config, ctx, await startBackend(config, ctx));
    try {
      assert.equal(p.originalFrom, 'cache');
      const outputs = await collectSampleOutputs(p.original, p.heldOut!, allIndices(60));
      const accuracy = (100 * outputs.correct.reduce((s, c) => s + c, 0)) / 60;
      const figure = v.figures.find((f) => f.name === 'accuracy');
      assert.ok(figure && Math.abs(figure.reference - accuracy) < 1e-9, `held-out accuracy ${figure?.reference} vs ${accuracy}`);
    } finally {
      p.original.model.dispose();
    }
  });

  it('refuses a model file and a forget list by indices, saying why and what to do', async () => {
    const ctx: JobContext = { workspaceDir: ws, signal: new AbortController().signal, emit: () => undefined };
    const fileModel = { ...config, model: { kind: 'file' as const, path: 'model.json' } };
    await assert.rejects(prepare(fileModel, ctx, await startBackend(fileModel, ctx)), (e: Error) => e instanceof UserError && /your own model/.test(e.message));
    writeFileSync(join(ws, 'forget.json'), '[1, 2, 3]');
    const byIndex = { ...config, forget: { kind: 'indices' as const, file: 'forget.json' } };
    await assert.rejects(prepare(byIndex, ctx, await startBackend(byIndex, ctx)), (e: Error) => e instanceof UserError && /indices/.test(e.message));
  });
});
