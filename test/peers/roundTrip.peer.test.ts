// The round trip a PyTorch user makes: PyTorch → ONNX (TorchScript exporter, from scripts/peers.mjs)
// → `salun run` with SalUn (class-wise forgetting on the bundled Fashion-MNIST subset) →
// model/model.onnx and model/model.safetensors → ONNX Runtime and PyTorch. Both reproduce the run's
// own predictions (its tfjs model) within 1e-4; PyTorch loads the state_dict strictly; every weight
// outside the saliency mask is bit for bit the original in both files; the class is forgotten.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/engine/models/io';
import { readOnnx } from '../../src/engine/models/onnx/onnxFile';
import { importOnnx, toOnnxLayout } from '../../src/engine/models/onnx/importOnnx';
import type { Binding } from '../../src/engine/models/onnx/graphValues';
import { unpackMask } from '../../src/store/saliency/mask';
import { readSafetensors as readState } from '../../src/store/checkpoints/safetensors';
import { selectBackend } from '../../src/engine/backend/select';
import { tf, type T } from '../../src/engine/tf';
import { peerModels, relativeError } from './fixtures';
import { runOrt } from './ort';
import { assertNonSalientUnchanged } from '../support/maskedWeights';

const root = join(__dirname, '..', '..', '..');
const python = process.env.SALUN_PEER_PYTHON ?? join(root, '.cache', 'py311', 'bin', 'python');

describe('PyTorch → ONNX → SalUn → ONNX Runtime and PyTorch', function () {
  this.timeout(1_200_000);
  const forgotten = 3;
  let ws = '';
  let modelDir = '';
  let reference = '';
  let input: { shape: readonly number[]; data: Float32Array };

  before(async () => {
    const cnn = peerModels('torch213').find((m) => m.name === 'cnn');
    assert.ok(cnn, 'no cnn peer model: run node scripts/peers.mjs');
    const exp = cnn.exports.find((e) => e.file === 'ts17_train.onnx');
    assert.ok(exp, 'no TorchScript export of the cnn peer');
    reference = join(exp.path, '..');
    input = cnn.input;
    ws = mkdtempSync(join(tmpdir(), 'salun-roundtrip-'));
    copyFileSync(exp.path, join(ws, 'model.onnx'));
    const config = {
      model: { kind: 'onnx', path: 'model.onnx' },
      data: { kind: 'default' },
      forget: { kind: 'class', classIndex: forgotten },
      method: 'salun',
      train: { epochs: 2 },
      unlearn: { epochs: 3 },
      backend: 'wasm',
    };
    writeFileSync(join(ws, 'run.salun.json'), JSON.stringify(config));
    const r = spawnSync(process.execPath, [join(root, 'bin', 'salun.js'), 'run', 'run.salun.json', '--workspace', ws], { cwd: ws, encoding: 'utf8' });
    assert.equal(r.status, 0, `salun run failed:\n${r.stdout}\n${r.stderr}`);
    const runs = join(ws, '.salun', 'runs');
    modelDir = join(runs, readdirSync(runs).filter((d) => !d.startsWith('.'))[0], 'model');
    await selectBackend('wasm');
  });

  it("ONNX Runtime and PyTorch reproduce the run's predictions, and PyTorch loads it strictly", async () => {
    const model = await loadModel(join(modelDir, 'model.json'));
    const [n, c, h, w] = input.shape;
    const ours = tf.tidy(() => (model.predict(tf.transpose(tf.tensor4d(input.data, [n, c, h, w]), [0, 2, 3, 1])) as T.Tensor).dataSync() as Float32Array);
    const ort = await runOrt(join(modelDir, 'model.onnx'), input.data, [...input.shape]);
    assert.ok(relativeError(ort, ours) <= 1e-4, `ONNX Runtime vs the run: ${relativeError(ort, ours).toExponential(2)}`);
    const out = mkdtempSync(join(tmpdir(), 'salun-check-'));
    const r = spawnSync(python, [join(root, 'test', 'peers', 'check_export.py'), '--run', modelDir, '--reference', reference, '--out', out, '--as-is'], {
      encoding: 'utf8',
    });
    const report = JSON.parse(r.stdout) as { load: { strict_ok: boolean; missing: string[]; unexpected: string[] } };
    assert.ok(
      report.load.strict_ok,
      `load_state_dict(strict=True): missing ${report.load.missing.join(', ')}, unexpected ${report.load.unexpected.join(', ')}`,
    );
    const bytes = readFileSync(join(out, 'torch_logits.bin'));
    const torch = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    assert.ok(relativeError(torch, ours) <= 1e-4, `PyTorch (model.safetensors) vs the run: ${relativeError(torch, ours).toExponential(2)}`);
    // The forgotten class: the run's own UA (error on Df) is in its report.
    const result = JSON.parse(readFileSync(join(modelDir, '..', 'report.json'), 'utf8')) as { rows: Array<{ role: string; metrics: { UA: number } }> };
    const unlearned = result.rows.find((x) => x.role === 'unlearned');
    assert.ok(unlearned && unlearned.metrics.UA >= 90, `UA ${unlearned?.metrics.UA}: class ${forgotten} is not forgotten`);
  });

  it('model.onnx and model.safetensors hold the same weights, and every weight outside the saliency mask is bit for bit the original', async () => {
    const original = (await readOnnx(join(ws, 'model.onnx'))).graph;
    const written = (await readOnnx(join(modelDir, 'model.onnx'))).graph.initializers;
    const state = (await readState(join(modelDir, 'model.safetensors'))).tensors;
    const masks = onnxMasks(await loadModel(join(modelDir, 'model.json')), importOnnx(original).bindings, join(modelDir, '..', 'saliency'));
    const masked = { names: [] as string[], before: [] as Float32Array[], after: [] as Float32Array[], masks: [] as Float32Array[] };
    for (const [name, t] of original.initializers) {
      const bValues = written.get(name)?.values;
      const sValues = state.get(name)?.data;
      assert.ok(bValues && sValues, `${name} is missing from the written files`);
      const b = bits(bValues);
      const s = bits(sValues);
      for (let i = 0; i < b.length; i++) assert.equal(b[i], s[i], `${name}[${i}] differs between model.onnx and model.safetensors`);
      // Batch norm's running statistics are not weights (no mask): they follow the data.
      const mask = masks.get(name);
      if (!mask) continue;
      masked.names.push(name);
      masked.before.push(float32(t.values));
      masked.after.push(float32(bValues));
      masked.masks.push(mask);
    }
    const { moved, frozen } = assertNonSalientUnchanged(masked.before, masked.after, masked.masks, masked.names);
    assert.ok(moved > 0, 'no salient weight moved: the run did not unlearn');
    assert.ok(frozen > 0, 'the mask held every weight: nothing was left to check');
  });
});

function float32(values: Float32Array | Float64Array): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** A float32 array's bit patterns, so -0 and NaN payloads compare too. */
function bits(values: Float32Array | Float64Array): Uint32Array {
  const f = float32(values);
  return new Uint32Array(f.buffer, f.byteOffset, f.length);
}

/** The run's saliency mask (tfjs layout, in trainable-weight order) per ONNX initializer, in ONNX layout. */
function onnxMasks(model: T.LayersModel, bindings: Binding[], saliencyDir: string): Map<string, Float32Array> {
  const summary = JSON.parse(readFileSync(join(saliencyDir, 'summary.json'), 'utf8')) as { layers: Array<{ count: number; shape: number[] }> };
  const trainable = model.trainableWeights;
  assert.equal(summary.layers.length, trainable.length, 'the mask and the model have different numbers of weights');
  const unpacked = unpackMask(
    new Uint8Array(readFileSync(join(saliencyDir, 'mask.bits'))),
    summary.layers.map((l) => l.count),
  );
  const out = new Map<string, Float32Array>();
  for (const b of bindings) {
    const v = model.getLayer(b.layer).weights[b.weight];
    const at = trainable.indexOf(v);
    if (at < 0) continue;
    assert.deepEqual(summary.layers[at].shape, v.shape, `${b.initializer}: the mask's shape is not the weight's`);
    out.set(b.initializer, toOnnxLayout(Float32Array.from(unpacked[at]), v.shape as number[], b));
  }
  return out;
}
