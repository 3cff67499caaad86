// The ONNX importer against PyTorch and ONNX Runtime: every export scripts/peers.mjs wrote (both
// exporters, torch 2.13 and Debian's 1.13) is imported and its eval-mode logits compared with
// PyTorch's and ORT's on the same real images; one batch's train-mode gradients with PyTorch's.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { readOnnx } from '../../src/engine/models/onnx/onnxFile';
import { importOnnx, toOnnxLayout } from '../../src/engine/models/onnx/importOnnx';
import { selectBackend } from '../../src/engine/backend/select';
import { tf, type T } from '../../src/engine/tf';
import { peerModels, peerModelsDir, relativeError, type PeerModel, type Tensor } from './fixtures';

const LOGIT_TOLERANCE = 1e-4;
const GRADIENT_TOLERANCE = 1e-3;

function nhwc(input: Tensor): T.Tensor {
  const [n, c, h, w] = input.shape;
  return input.shape.length === 4 ? tf.transpose(tf.tensor4d(input.data, [n, c, h, w]), [0, 2, 3, 1]) : tf.tensor(input.data, [...input.shape]);
}

function logitsOf(model: T.LayersModel, input: Tensor): Float32Array {
  return tf.tidy(() => model.predict(nhwc(input)) as T.Tensor).dataSync() as Float32Array;
}

/** Gradients of mean cross-entropy in train mode (batch statistics), in ONNX layouts, by initializer. */
function gradients(m: PeerModel, imp: ReturnType<typeof importOnnx>): Map<string, Float32Array> {
  // PyTorch's reference gradients were taken with Dropout off (and batch norm in train mode).
  for (const l of imp.model.layers) if (l.getClassName() === 'Dropout') (l as unknown as { rate: number }).rate = 0;
  const vars = imp.model.trainableWeights.map((w) => w.read() as T.Variable);
  const x = nhwc(m.input);
  const labels = tf.tensor1d(m.labels, 'int32');
  const { grads } = tf.variableGrads(() => {
    const out = imp.model.apply(x, { training: true }) as T.Tensor2D;
    const lp = m.output === 'log_softmax' ? out : tf.logSoftmax(out);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, lp.shape[1]), lp), 1))) as T.Scalar;
  }, vars);
  const out = new Map<string, Float32Array>();
  for (const b of imp.bindings) {
    const layer = imp.model.getLayer(b.layer);
    const w = layer.weights[b.weight];
    if (!w.trainable) continue;
    const g = grads[(w.read() as T.Variable).name];
    if (g) out.set(b.initializer, toOnnxLayout(g.dataSync() as Float32Array, g.shape, b));
  }
  tf.dispose([x, labels, ...Object.values(grads)]);
  return out;
}

for (const run of ['torch213', 'torch113'] as const) {
  describe(`ONNX import vs PyTorch and ONNX Runtime (${run})`, () => {
    before(async () => {
      assert.ok(existsSync(peerModelsDir()), `no peer models in ${peerModelsDir()}: run node scripts/peers.mjs`);
      await selectBackend('wasm');
    });
    const models = existsSync(peerModelsDir()) ? peerModels(run) : [];
    for (const m of models) {
      for (const e of m.exports) {
        // tfjs's wasm backend has no gradient kernels for depthwise convolution: those models train on cpu here.
        const depthwise = m.name.includes('mobilenet') || m.name.startsWith('op_zoo');
        it(`${m.name} ${e.file} (${e.exporter}, opset ${e.opset}): logits${e.bnFolded ? '' : ' and gradients'}`, async () => {
          await (depthwise ? tf.setBackend('cpu') : selectBackend('wasm'));
          const t0 = Date.now();
          const { graph } = await readOnnx(e.path);
          const imp = importOnnx(graph);
          const ms = Date.now() - t0;
          const y = logitsOf(imp.model, m.input);
          const vsTorch = relativeError(y, m.evalLogits.data);
          assert.ok(vsTorch <= LOGIT_TOLERANCE, `logits vs PyTorch: relative error ${vsTorch.toExponential(2)} (import ${ms} ms)`);
          if (e.ortEvalLogits) {
            const vsOrt = relativeError(y, e.ortEvalLogits.data);
            assert.ok(vsOrt <= LOGIT_TOLERANCE, `logits vs ONNX Runtime: relative error ${vsOrt.toExponential(2)}`);
          }
          if (!e.bnFolded) {
            const ours = gradients(m, imp);
            const theirs = m.gradients();
            let compared = 0;
            // A weight whose true gradient is ~0 (a bias before a train-mode batch norm, which cancels
            // it) compares float noise with float noise: its error is measured against 1% of the largest
            // gradient of the network instead of its own.
            const top = Math.max(...[...theirs.values()].map((t) => t.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0)));
            for (const [name, g] of ours) {
              const ref = theirs.get(name);
              if (!ref) continue;
              const own = ref.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
              const err = relativeError(g, ref.data) * (own / Math.max(own, 1e-2 * top));
              assert.ok(err <= GRADIENT_TOLERANCE, `gradient of ${name}: relative error ${err.toExponential(2)}`);
              compared++;
            }
            assert.ok(compared >= Math.min(2, ours.size), `only ${compared} of ${ours.size} gradients matched a PyTorch key`);
          }
          imp.model.dispose();
        });
      }
    }
  });
}
