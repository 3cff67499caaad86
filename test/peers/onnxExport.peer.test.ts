// The ONNX export against ONNX Runtime (onnxruntime in the Python 3.11 venv, SALUN_PEER_PYTHON or
// .cache/py311): each built-in with random BN statistics and biases, and a user model with every
// other exported layer, is exported, passes onnx's full checker, and ONNX Runtime's logits on NCHW
// inputs equal tfjs's on the same NHWC inputs within 1e-4 of the largest |logit|.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCHITECTURE_NAMES, type ArchitectureName } from '../../src/protocol/config';
import { buildArchitecture, type InputShape } from '../../src/engine/models/architectures';
import { exportOnnx } from '../../src/engine/models/onnxExport';
import { torchWeightNames } from '../../src/engine/models/torchTwins';
import { tf, type T } from '../../src/engine/tf';
import { randomizeStatistics, userModel, userSequential } from '../support/onnxFixtures';

const root = join(__dirname, '..', '..', '..');
const python = process.env.SALUN_PEER_PYTHON ?? join(root, '.cache', 'py311', 'bin', 'python');
const script = join(root, 'test', 'peers', 'onnx_check.py');

const SHAPES: Record<ArchitectureName, InputShape> = {
  cnn: { height: 28, width: 28, channels: 1, numClasses: 10 },
  mlp: { height: 28, width: 28, channels: 3, numClasses: 10 },
  resnet18: { height: 16, width: 16, channels: 3, numClasses: 10 },
  'vgg16-bn': { height: 16, width: 16, channels: 3, numClasses: 10 },
  'resnet18-torchvision': { height: 32, width: 32, channels: 3, numClasses: 10 },
};

/** ONNX Runtime's logits for NHWC `input` (transposed to NCHW here). */
function ortLogits(dir: string, bytes: Uint8Array, input: T.Tensor4D): number[] {
  const modelPath = join(dir, 'model.onnx');
  const inputPath = join(dir, 'input.f32');
  writeFileSync(modelPath, bytes);
  const nchw = tf.tidy(() => input.transpose([0, 3, 1, 2]));
  const data = nchw.dataSync() as Float32Array;
  writeFileSync(inputPath, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  const shape = nchw.shape.map(String);
  nchw.dispose();
  const r = spawnSync(python, [script, modelPath, inputPath, ...shape], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as number[];
}

function tfjsLogits(model: T.LayersModel, input: T.Tensor4D): Float32Array {
  const out = model.predict(input) as T.Tensor;
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

function assertClose(ours: ArrayLike<number>, theirs: ArrayLike<number>, what: string): void {
  assert.equal(theirs.length, ours.length, `${what}: ${theirs.length} logits, expected ${ours.length}`);
  const scale = Math.max(...Array.from(ours, Math.abs));
  const worst = Math.max(...Array.from(ours, (x, i) => Math.abs(x - theirs[i])));
  assert.ok(scale > 0, `${what}: all logits are 0`);
  assert.ok(worst <= 1e-4 * scale, `${what}: max |Δ| ${worst} > 1e-4 × ${scale}`);
}

describe('ONNX export against ONNX Runtime (peer)', function () {
  this.timeout(300_000);
  let dir = '';
  before(async function () {
    await tf.setBackend('cpu');
    assert.ok(existsSync(python), `no Python with onnxruntime at ${python} (scripts/python-peers.sh makes it; or set SALUN_PEER_PYTHON)`);
    dir = mkdtempSync(join(tmpdir(), 'salun-onnx-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function check(model: T.LayersModel, bytes: Uint8Array, what: string): void {
    const [h, w, c] = model.inputs[0].shape.slice(1) as number[];
    const input = tf.randomUniform<T.Rank.R4>([3, h, w, c], -1, 1, 'float32', 7);
    try {
      assertClose(tfjsLogits(model, input), ortLogits(dir, bytes, input), what);
    } finally {
      input.dispose();
    }
  }

  for (const name of ARCHITECTURE_NAMES) {
    it(`${name}: ONNX Runtime's logits are tfjs's`, () => {
      const model = buildArchitecture(name, SHAPES[name], 3);
      try {
        randomizeStatistics(model, 11);
        check(model, exportOnnx(model, { names: torchWeightNames(model, name) }), name);
      } finally {
        model.dispose();
      }
    });
  }

  it('a user model with every other exported layer, at opsets 13, 17 and 21', () => {
    const model = userModel();
    try {
      randomizeStatistics(model, 5);
      check(model, exportOnnx(model, { opset: 13 }), 'user model, opset 13');
      check(model, exportOnnx(model), 'user model, opset 17');
      check(model, exportOnnx(model, { opset: 21 }), 'user model, opset 21');
    } finally {
      model.dispose();
    }
  });

  it('a Sequential user model: even kernels, BN without γ and β, relu6, hardSigmoid, elu, softplus, softsign, Softmax', () => {
    const model = userSequential();
    try {
      randomizeStatistics(model, 9);
      check(model, exportOnnx(model), 'user Sequential model');
    } finally {
      model.dispose();
    }
  });
});
