// The peer manifest reader on a hand-made folder: the import tests compare against what it returns,
// so a wrong offset or a silently accepted partial manifest would make them compare against garbage.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerModels, readSafetensors, relativeError } from '../peers/fixtures';

function f32(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}

function safetensors(tensors: Record<string, { shape: number[]; values: number[] }>): Buffer {
  let offset = 0;
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  for (const [k, t] of Object.entries(tensors)) {
    header[k] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.length * 4] };
    offset += t.values.length * 4;
    parts.push(f32(t.values));
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...parts]);
}

describe('peer fixtures', () => {
  let dir = '';
  const saved = process.env.SALUN_PEER_MODELS;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peers-'));
    process.env.SALUN_PEER_MODELS = dir;
    const m = join(dir, 'torch213', 'tiny');
    mkdirSync(m, { recursive: true });
    writeFileSync(join(m, 'input.bin'), f32([0, 0.5, 1, 0.25]));
    writeFileSync(join(m, 'logits_eval.bin'), f32([1, -2]));
    writeFileSync(join(m, 'logits_train.bin'), f32([3, 4]));
    writeFileSync(join(m, 'ort_a_eval.bin'), f32([1, -2]));
    writeFileSync(
      join(m, 'gradients.safetensors'),
      safetensors({ 'fc.weight': { shape: [1, 2], values: [0.125, -7] }, 'fc.bias': { shape: [1], values: [9] } }),
    );
    const model = {
      name: 'tiny',
      folder: 'tiny',
      num_classes: 2,
      input: { file: 'input.bin', shape: [1, 1, 2, 2] },
      labels: { values: [1] },
      logits: { eval: { file: 'logits_eval.bin', shape: [1, 2] }, train: { file: 'logits_train.bin', shape: [1, 2] } },
      gradients: { format: 'safetensors', file: 'gradients.safetensors' },
      state_dict: { keys: [], files: { bare: 'state_dict.pth' } },
      exports: [
        {
          file: 'a.onnx',
          exporter: 'torchscript',
          mode: 'training',
          opset: 17,
          torch: '2.13',
          ops: { Gemm: 1 },
          bn_folded: false,
          ort: { eval_logits: { file: 'ort_a_eval.bin', shape: [1, 2] } },
        },
        { file: 'b.onnx', exporter: 'dynamo', mode: 'eval', error: 'RuntimeError: no' },
      ],
    };
    writeFileSync(join(dir, 'torch213', 'manifest.json'), JSON.stringify({ format: 1, versions: { torch: '2.13.0+cpu' }, models: [model] }));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.SALUN_PEER_MODELS;
    else process.env.SALUN_PEER_MODELS = saved;
  });

  it('reads tensors, labels, gradients and the exports that did not fail', () => {
    const [m] = peerModels('torch213');
    assert.deepEqual(Array.from(m.input.data), [0, 0.5, 1, 0.25]);
    assert.deepEqual(m.input.shape, [1, 1, 2, 2]);
    assert.deepEqual(Array.from(m.labels), [1]);
    assert.deepEqual(Array.from(m.trainLogits.data), [3, 4]);
    assert.deepEqual(
      m.exports.map((e) => [e.file, e.opset]),
      [['a.onnx', 17]],
    );
    const g = m.gradients();
    assert.deepEqual(Array.from(g.get('fc.weight')?.data ?? []), [0.125, -7]);
    assert.deepEqual(Array.from(g.get('fc.bias')?.data ?? []), [9]);
    assert.equal(relativeError(Float32Array.from([1, -2.5]), m.evalLogits.data), 0.25);
  });

  it('refuses a data file whose size does not fit its shape, and a missing folder', () => {
    writeFileSync(join(dir, 'torch213', 'tiny', 'logits_eval.bin'), f32([1]));
    assert.throws(() => peerModels('torch213'), /4 bytes, expected 8/);
    assert.throws(() => peerModels('torch113'), /run node scripts\/peers\.mjs/);
  });

  it('reads safetensors at their data offsets', () => {
    const p = join(dir, 'x.safetensors');
    writeFileSync(p, safetensors({ a: { shape: [2], values: [1, 2] }, b: { shape: [1], values: [3] } }));
    assert.deepEqual(Array.from(readSafetensors(p).get('b')?.data ?? []), [3]);
  });
});
