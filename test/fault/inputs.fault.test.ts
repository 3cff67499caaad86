// Files and configs from outside, hostile or broken: model manifests that point elsewhere, idx
// files with impossible labels, truncated or bomb-sized .gz, __proto__ in configs, repeated forget
// indices, an empty mask, and the messages for what the system (not our code) got wrong.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseIdx, readIdxFile, readIdxFileAsync } from '../../src/engine/data/idx';
import { loadData, loadDataAsync } from '../../src/engine/data/load';
import { splitForget } from '../../src/engine/data/forgetSet';
import { CancelledError, UserError } from '../../src/store/errors';
import { loadModel, saveModel } from '../../src/engine/models/io';
import { toJobError } from '../../src/protocol/jobError';
import { maskWarnings } from '../../src/engine/pipeline/shared/saliencyWriter';
import { tf } from '../../src/engine/tf';
import { gridConfigProblems } from '../../src/protocol/grid';
import { ConfigError, parseEvaluateJobConfig, parseRunConfig, parseSaliencyJobConfig } from '../../src/protocol/runConfigSchema';
import { defaultTableConfig, tableConfigProblems } from '../../src/protocol/table';
import { defaultRunConfig } from '../../src/protocol/defaults';
import { idxBytes, runCli, runConfigInWorkspace, tempDir, tinyRunConfig, tinySplit, writeTinyData } from './faultKit';

const SECRET = Buffer.from(new Float32Array(200).fill(1234.5).buffer);

/** A saved 2-weight model folder whose manifest is then rewritten to list `paths`. */
async function modelWithManifest(paths: string[]): Promise<{ dir: string; json: string }> {
  await tf.setBackend('cpu');
  const dir = join(tempDir('model'), 'm');
  await saveModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] }), dir);
  const json = join(dir, 'model.json');
  const m = JSON.parse(readFileSync(json, 'utf8')) as { weightsManifest: { paths: string[] }[] };
  m.weightsManifest[0].paths = paths;
  writeFileSync(json, JSON.stringify(m));
  return { dir, json };
}

describe('fault: model files from outside', () => {
  it('a weights path with ../ out of the model folder is refused, and the file is not read', async () => {
    const { dir, json } = await modelWithManifest(['../../secret.bin']);
    writeFileSync(join(dir, '..', '..', 'secret.bin'), SECRET.subarray(0, 8));
    await assert.rejects(loadModel(json), (e: Error) => e instanceof UserError && /points outside the model folder/.test(e.message));
  });

  it('an absolute weights path is refused', async () => {
    const outside = join(tempDir('abs'), 'secret.bin');
    writeFileSync(outside, SECRET.subarray(0, 8));
    const { json } = await modelWithManifest([outside]);
    await assert.rejects(loadModel(json), /is absolute; only paths inside the model folder are read/);
  });

  it('a weights file that is a symlink to a file outside the folder is refused', async () => {
    const outside = join(tempDir('link'), 'secret.bin');
    writeFileSync(outside, SECRET.subarray(0, 8));
    const { dir, json } = await modelWithManifest(['weights.bin']);
    const w = join(dir, 'weights.bin');
    spawnSync('rm', [w]);
    symlinkSync(outside, w);
    await assert.rejects(loadModel(json), /is a link to .*outside the model folder/);
  });

  it('a weights path that is a directory, or not a string, is refused with a message', async () => {
    const { dir, json } = await modelWithManifest(['sub']);
    mkdirSync(join(dir, 'sub'));
    await assert.rejects(loadModel(json), /"sub" is not a regular file/);
    const bad = await modelWithManifest([42 as unknown as string]);
    await assert.rejects(loadModel(bad.json), /lists 42, which is not a file name/);
  });

  it('a run whose model.json reads ../ weights fails before any work, naming the path (CLI)', async () => {
    const ws = tempDir('ws-manifest');
    const data = writeTinyData(join(ws, 'data'));
    const { dir, json } = await modelWithManifest(['../secret.bin']);
    writeFileSync(join(dir, '..', 'secret.bin'), SECRET.subarray(0, 8));
    const r = await runConfigInWorkspace(ws, tinyRunConfig(data, { model: { kind: 'file', path: json } }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /weights path "\.\.\/secret\.bin" points outside the model folder/);
  });

  it('a model whose weights are NaN is refused at load, naming the count', async () => {
    const ws = tempDir('ws-nan');
    const data = writeTinyData(join(ws, 'data'));
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 4 })] });
    model.setWeights([tf.fill([64, 4], NaN), tf.zeros([4])]);
    const dir = join(ws, 'nan-model');
    await saveModel(model, dir);
    const r = await runConfigInWorkspace(ws, tinyRunConfig(data, { model: { kind: 'file', path: join(dir, 'model.json') } }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /256 weights are NaN or ±Inf/);
  });
});

describe('fault: idx files from outside', () => {
  function dataWithLabels(train: number[], test = [0, 1, 2, 3]): string {
    const dir = tempDir('idx');
    const t = tinySplit(train.length, 4, 1);
    const s = tinySplit(test.length, 4, 2);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), t.images);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([train.length], train));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), s.images);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([test.length], test));
    return dir;
  }

  it('a label byte 255 among classes 0…3 is refused, naming the sample, its byte offset and the classes found', () => {
    const dir = dataWithLabels([0, 1, 2, 3, 255, 1]);
    assert.throws(
      () => loadData({ kind: 'idx', dir }, '/'),
      /train-labels-idx1-ubyte: label 255 of training sample 4 \(byte offset 12\) is not a class: the training labels cover 4 classes, 0…3; class 4 has no training sample/,
    );
  });

  it('a test label that no training sample has is refused', () => {
    const dir = dataWithLabels([0, 1, 2, 3], [0, 1, 7]);
    assert.throws(() => loadData({ kind: 'idx', dir }, '/'), /t10k-labels-idx1-ubyte: label 7 of test sample 2 \(byte offset 10\)/);
  });

  it('contiguous labels load with that many classes', () => {
    assert.equal(loadData({ kind: 'idx', dir: dataWithLabels([0, 1, 2, 3, 2]) }, '/').train.numClasses, 4);
  });

  it('a truncated file (raw or .gz) is refused with what it holds', () => {
    const dir = tempDir('trunc');
    const full = idxBytes([10], [0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    writeFileSync(join(dir, 'raw'), full.subarray(0, 12));
    assert.throws(() => readIdxFile(join(dir, 'raw')), /promises 10 = 10 values but the file holds 4/);
    writeFileSync(join(dir, 'gz'), gzipSync(full).subarray(0, 15));
    assert.throws(
      () => readIdxFile(join(dir, 'gz')),
      (e: Error) => e instanceof UserError && /gz/.test(e.message),
    );
  });

  it('a .gz bomb (a tiny file that inflates to 256 MiB under a 10-byte header) is refused without inflating it', async () => {
    const dir = tempDir('bomb');
    const bomb = gzipSync(Buffer.concat([idxBytes([10], []), Buffer.alloc(256 * 2 ** 20)]), { level: 9 });
    assert.ok(bomb.length < 300_000, `bomb is ${bomb.length} bytes`);
    const path = join(dir, 'train-labels-idx1-ubyte.gz');
    writeFileSync(path, bomb);
    const rss0 = process.memoryUsage().rss;
    const t0 = Date.now();
    assert.throws(() => readIdxFile(path), /inflates to more than the 18 bytes its idx header promises/);
    await assert.rejects(readIdxFileAsync(path), /inflates to more than the 18 bytes its idx header promises/);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.ok(process.memoryUsage().rss - rss0 < 128 * 2 ** 20, 'the bomb was inflated into memory');
  });

  it('a header promising more than 2^31 values is refused before any allocation', () => {
    assert.throws(() => parseIdx(idxBytes([65536, 65536, 2], []), 'huge'), /more than the 2147483648 this reader accepts/);
  });

  it("the job's async read stops on cancel", async () => {
    const dir = writeTinyData(join(tempDir('cancel'), 'd'), { gzip: true });
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(loadDataAsync({ kind: 'idx', dir }, '/', abort.signal), CancelledError);
    assert.equal((await loadDataAsync({ kind: 'idx', dir }, '/')).train.n, 160);
  });
});

describe('fault: configs', () => {
  const problems = (f: () => unknown): string[] => {
    try {
      f();
      return [];
    } catch (e) {
      return e instanceof ConfigError ? e.problems : [String(e)];
    }
  };

  it('__proto__, constructor and prototype are unknown keys at any depth of a run config', () => {
    for (const text of [
      '{"__proto__":{"seed":1e30}}',
      '{"unlearn":{"__proto__":{"lr":1e30}}}',
      '{"constructor":{"x":1}}',
      '{"train":{"prototype":1}}',
      '{"methodOptions":{"iu":{"__proto__":{"alpha":1e30}}}}',
    ]) {
      const p = problems(() => parseRunConfig(JSON.parse(text) as unknown));
      assert.ok(
        p.some((x) => /(__proto__|constructor|prototype) is not a known setting/.test(x)),
        `${text} was accepted: ${JSON.stringify(p)}`,
      );
    }
  });

  it('the saliency and evaluate job configs and the table and grid configs refuse them too', () => {
    const base = defaultRunConfig();
    const sal = { data: base.data, model: base.model, forget: base.forget, saliency: base.saliency, train: base.train, seed: 1, backend: 'cpu' };
    assert.ok(problems(() => parseSaliencyJobConfig({ ...sal, ...(JSON.parse('{"__proto__":{"x":1}}') as object) })).length > 0);
    assert.ok(problems(() => parseEvaluateJobConfig(JSON.parse('{"train":{"constructor":1}}'))).length > 0);
    assert.deepEqual(tableConfigProblems({ ...defaultTableConfig(), ...(JSON.parse('{"__proto__":{"seeds":[1]}}') as object) }), [
      'table config.__proto__ is not a known setting',
    ]);
    assert.ok(
      gridConfigProblems({ method: 'salun', seed: 1, axes: [{ param: 'lr', values: [0.1] }], ...(JSON.parse('{"prototype":1}') as object) }).includes(
        'grid config.prototype is not a known setting',
      ),
    );
  });

  it('a run config with __proto__ is refused by `salun run` before any work (CLI)', async () => {
    const ws = tempDir('ws-proto');
    const file = join(ws, 'c.json');
    writeFileSync(file, '{"__proto__":{"unlearn":{"epochs":1,"lr":1e30,"momentum":0.9,"weightDecay":0,"batchSize":8}}}');
    const r = await runCli(['run', file, '--workspace', ws]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /config\.__proto__ is not a known setting/);
  });
});

describe('fault: forget sets and masks', () => {
  const train = { images: new Float32Array(10), labels: new Int32Array(10), n: 10, height: 1, width: 1, channels: 1, numClasses: 2, source: 't' };

  it('repeated forget indices are an error naming them (not a silently smaller forget set)', () => {
    const dir = tempDir('dup');
    writeFileSync(join(dir, 'f.json'), '[1, 2, 3, 2, 5, 1]');
    assert.throws(
      () => splitForget({ kind: 'indices', file: 'f.json' }, train, 1, dir),
      /2 entries repeat an index: 2 \(entries 2 and 4\), 1 \(entries 1 and 6\)/,
    );
    writeFileSync(join(dir, 'ok.txt'), '1\n2\n3\n');
    assert.equal(splitForget({ kind: 'indices', file: 'ok.txt' }, train, 1, dir).forget.length, 3);
  });

  it('a γ above every score warns in the log, the result and the report: the masked model is θo', async () => {
    const ws = tempDir('ws-gamma');
    const data = writeTinyData(join(ws, 'data'));
    const r = await runConfigInWorkspace(ws, tinyRunConfig(data, { saliency: { gamma: 1e30 } }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[warn\] The saliency mask is empty: γ = 1e\+30 is above every score/);
    const result = JSON.parse(r.stdout) as { warnings?: string[]; runDir: string };
    assert.equal(result.warnings?.length, 1);
    assert.match(readFileSync(join(result.runDir, 'report.md'), 'utf8'), /\*\*Warning\*\*: The saliency mask is empty/);
    assert.deepEqual(maskWarnings({ ratio: 0.5, gamma: 0, totalWeights: 4, salientWeights: 2, layers: [] }), []);
  });
});

describe('fault: messages for what the system got wrong', () => {
  const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code, syscall: 'open', path: '/w/.salun/x' });
  const cases: [string, Error, RegExp][] = [
    ['disk full', errno('ENOSPC', 'ENOSPC: no space left on device, write'), /disk is full/],
    ['permission denied', errno('EACCES', 'EACCES: permission denied, open'), /Permission denied: make the folder writable/],
    ['operation not permitted', errno('EPERM', 'EPERM: operation not permitted'), /Permission denied/],
    ['read-only file system', errno('EROFS', 'EROFS: read-only file system, open'), /read-only/],
    ['a file where a folder should be', errno('ENOTDIR', 'ENOTDIR: not a directory, mkdir'), /A file is where a folder should be/],
    ['a file in the way of mkdir', errno('EEXIST', 'EEXIST: file already exists, mkdir'), /A file is where a folder should be/],
    ['out of memory (JS)', new RangeError('Array buffer allocation failed'), /ran out of memory/],
    ['out of memory (tfjs-node)', new Error('OOM when allocating tensor with shape[60000,512]'), /ran out of memory/],
    ['out of memory (wasm)', new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'), /ran out of memory/],
    [
      'a native backend that will not load',
      new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory'),
      /native backend did not load.*'wasm'/,
    ],
    [
      'a backend error with its own hint',
      Object.assign(new Error("The forced backend 'tensorflow' is not available"), { hint: 'Install @tensorflow/tfjs-node.' }),
      /Install @tensorflow\/tfjs-node/,
    ],
  ];
  for (const [what, error, hint] of cases) {
    it(`${what}: says what to do, not "looks like a bug"`, () => {
      const j = toJobError(error);
      assert.match(j.hint ?? '', hint);
      assert.doesNotMatch(j.hint ?? '', /looks like a bug/);
    });
  }

  it('a real bug still says so', () => {
    assert.match(toJobError(new TypeError("Cannot read properties of undefined (reading 'x')")).hint ?? '', /looks like a bug/);
  });

  it('a file named .salun in the workspace: the run says a file is in the way (CLI)', async () => {
    const ws = tempDir('ws-file');
    const data = writeTinyData(join(ws, 'data'));
    writeFileSync(join(ws, '.salun'), 'not a folder');
    const r = await runConfigInWorkspace(ws, tinyRunConfig(data));
    assert.notEqual(r.code, 0);
    // The run folder's own message (runFolder.ts) or the shared one (atomic.ts writeErrorHint).
    assert.match(r.stderr, /A file is where a folder should be|should be a folder is a file: move it away/);
    assert.doesNotMatch(r.stderr, /looks like a bug/);
  });

  it('a read-only model cache (a read-only tmpfs on .salun/cache): the run says the file system is read-only (CLI)', async () => {
    const ws = tempDir('ws-ro');
    const data = writeTinyData(join(ws, 'data'));
    const cache = join(ws, '.salun', 'cache');
    mkdirSync(cache, { recursive: true });
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', cache]);
    if (mounted.status !== 0) {
      if (process.env.SALUN_FAULT_NO_TMPFS === '1') return;
      assert.fail(
        `the read-only case did not run: mount -t tmpfs failed (${mounted.stderr.toString().trim() || `exit ${mounted.status}`}). Run as root, or set SALUN_FAULT_NO_TMPFS=1 to accept skipping it.`,
      );
    }
    try {
      const r = await runConfigInWorkspace(ws, tinyRunConfig(data));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /EROFS/);
      assert.match(r.stderr, /read-only: use a workspace on a writable disk/);
    } finally {
      spawnSync('umount', [cache]);
    }
  });
});
