// The PyTorch twins' pure mapping: tfjs → state_dict → tfjs is bit for bit, the keys and shapes are
// the twin's (as python/salun_twins.py's state_dict lists them), and a Dense after a Flatten takes its
// inputs in NCHW order. The logits against PyTorch itself are in test/peers/twins.peer.test.ts.
import { strict as assert } from 'node:assert';
import { ARCHITECTURE_NAMES, type ArchitectureName } from '../../src/protocol/config';
import { buildArchitecture, type InputShape } from '../../src/engine/models/architectures';
import { denseFromTorch, denseToTorch } from '../../src/engine/models/torchLayout';
import { expectedTorchKeys, loadTorchStateDict, torchStateDict } from '../../src/engine/models/torchTwins';
import { useCpu } from '../support/tinyModels';

const SHAPES: Record<ArchitectureName, InputShape> = {
  cnn: { height: 28, width: 28, channels: 1, numClasses: 10 },
  mlp: { height: 28, width: 28, channels: 1, numClasses: 10 },
  resnet18: { height: 8, width: 8, channels: 3, numClasses: 10 },
  'vgg16-bn': { height: 16, width: 16, channels: 3, numClasses: 10 },
  'resnet18-torchvision': { height: 32, width: 32, channels: 3, numClasses: 10 },
};

/** PyTorch's own key counts (salun_twins.py's state_dict at these shapes). */
const TORCH_KEY_COUNTS: Record<ArchitectureName, number> = { cnn: 22, mlp: 6, resnet18: 124, 'vgg16-bn': 86, 'resnet18-torchvision': 122 };

describe('PyTorch twins: the state_dict mapping', function () {
  this.timeout(120_000);
  // Another suite may have registered wasm, which outranks cpu until initialised.
  before(useCpu);

  for (const name of ARCHITECTURE_NAMES) {
    it(`${name}: the twin's keys, and tfjs → state_dict → tfjs bit for bit`, () => {
      const a = buildArchitecture(name, SHAPES[name], 1);
      const b = buildArchitecture(name, SHAPES[name], 2);
      try {
        const keys = expectedTorchKeys(a, name);
        assert.equal(keys.size, TORCH_KEY_COUNTS[name]);
        const dict = torchStateDict(a, name);
        assert.deepEqual([...dict.keys()], [...keys.keys()]);
        for (const [k, t] of dict) assert.deepEqual(t.shape, keys.get(k), k);
        loadTorchStateDict(b, name, dict);
        a.weights.forEach((w, i) => assert.deepEqual(b.weights[i].read().dataSync(), w.read().dataSync(), w.originalName));
      } finally {
        a.dispose();
        b.dispose();
      }
    });
  }

  it('orders keys as PyTorch registers modules, and types the BN counter as int64', () => {
    const model = buildArchitecture('resnet18', SHAPES.resnet18, 1);
    try {
      const keys = [...expectedTorchKeys(model, 'resnet18').keys()];
      assert.deepEqual(keys.slice(0, 4), ['normalize.mean', 'normalize.std', 'conv1.weight', 'bn1.weight']);
      const block = keys.filter((k) => k.startsWith('layer2.0.')).map((k) => k.split('.').slice(2, -1).join('.'));
      assert.deepEqual([...new Set(block)], ['conv1', 'bn1', 'conv2', 'bn2', 'downsample.0', 'downsample.1']);
      assert.equal(torchStateDict(model, 'resnet18').get('bn1.num_batches_tracked')?.dtype, 'I64');
    } finally {
      model.dispose();
    }
  });

  it('a Dense after Flatten reads its inputs in NCHW order, and the reordering inverts', () => {
    // h=1, w=2, c=3: tfjs rows (x, ch) = 0:(0,0) 1:(0,1) 2:(0,2) 3:(1,0) …; PyTorch (ch, x).
    const kernel = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const torch = denseToTorch(kernel, [6, 1], [1, 2, 3]);
    assert.deepEqual(Array.from(torch), [0, 3, 1, 4, 2, 5]);
    assert.deepEqual(denseFromTorch(torch, [6, 1], [1, 2, 3]), kernel);
  });

  it('a missing, unexpected or mis-shaped key is an error that lists them; num_batches_tracked may be absent', () => {
    const model = buildArchitecture('cnn', SHAPES.cnn, 1);
    try {
      const dict = torchStateDict(model, 'cnn');
      dict.delete('bn1.num_batches_tracked');
      loadTorchStateDict(model, 'cnn', dict);
      dict.delete('conv1.weight');
      dict.set('extra.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
      const fc = dict.get('fc1.bias');
      if (fc) dict.set('fc1.bias', { ...fc, shape: [7] });
      assert.throws(() => loadTorchStateDict(model, 'cnn', dict), /missing: conv1\.weight; unexpected: extra\.weight; wrong shape: fc1\.bias \[7\]/);
      assert.throws(() => expectedTorchKeys(model, 'mlp'), /layer conv1 \(Conv2D\)/);
    } finally {
      model.dispose();
    }
  });
});
