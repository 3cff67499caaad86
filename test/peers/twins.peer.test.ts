// The PyTorch twins against PyTorch itself (torch 2.13 in the Python 3.11 venv, SALUN_PEER_PYTHON or
// .cache/py311): a twin with random weights and BN statistics, saved by Python as safetensors, loads
// into the built-in, whose eval logits equal PyTorch's within 1e-4 of the largest; and the built-in's
// torchStateDict loads into the twin with load_state_dict(strict=True) and gives tfjs's logits.
// The safetensors reader and writer here are minimal on purpose (F32/I64 only): the real ones are
// src/store/checkpoints'.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchitectureName } from '../../src/protocol/config';
import type { StateDict } from '../../src/store/checkpoints/stateDict';
import { buildArchitecture, type InputShape } from '../../src/engine/models/architectures';
import { loadTorchStateDict, torchStateDict } from '../../src/engine/models/torchTwins';
import { tf, type T } from '../../src/engine/tf';

const root = join(__dirname, '..', '..', '..');
const python = process.env.SALUN_PEER_PYTHON ?? join(root, '.cache', 'py311', 'bin', 'python');
const script = join(root, 'test', 'peers', 'twins_check.py');

const SHAPES: Record<ArchitectureName, InputShape> = {
  cnn: { height: 28, width: 28, channels: 1, numClasses: 10 },
  mlp: { height: 28, width: 28, channels: 1, numClasses: 10 },
  resnet18: { height: 16, width: 16, channels: 3, numClasses: 10 },
  'vgg16-bn': { height: 16, width: 16, channels: 3, numClasses: 10 },
  'resnet18-torchvision': { height: 32, width: 32, channels: 3, numClasses: 10 },
};

function readSafetensors(path: string): StateDict {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { dtype: 'F32' | 'I64'; shape: number[]; data_offsets: [number, number] }
  >;
  const dict: StateDict = new Map();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const bytes = buf.subarray(8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
    const copy = new Uint8Array(bytes).buffer;
    const data = t.dtype === 'I64' ? Float32Array.from(new BigInt64Array(copy), Number) : new Float32Array(copy);
    dict.set(name, { dtype: t.dtype, shape: t.shape, data });
  }
  return dict;
}

function writeSafetensors(path: string, dict: StateDict): void {
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of dict) {
    const bytes =
      t.dtype === 'I64' ? Buffer.from(BigInt64Array.from(t.data, (x) => BigInt(x)).buffer) : Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileSync(path, Buffer.concat([len, Buffer.from(json), ...parts]));
}

function py(args: string[]): string {
  const r = spawnSync(python, [script, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** NCHW → NHWC, then eval-mode logits. */
function logitsOf(model: T.LayersModel, input: { shape: number[]; data: Float32Array }): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(input.data, input.shape).transpose([0, 2, 3, 1])) as T.Tensor).dataSync() as Float32Array);
}

function assertClose(ours: ArrayLike<number>, theirs: ArrayLike<number>, what: string): void {
  const scale = Math.max(...Array.from(theirs, Math.abs));
  const worst = Math.max(...Array.from(ours, (x, i) => Math.abs(x - theirs[i])));
  assert.ok(worst <= 1e-4 * scale, `${what}: max |Δ| ${worst} > 1e-4 × ${scale}`);
}

describe('PyTorch twins against PyTorch (peer)', function () {
  this.timeout(300_000);
  let dir = '';
  before(function () {
    assert.ok(existsSync(python), `no Python with torch at ${python} (scripts/python-peers.sh makes it; or set SALUN_PEER_PYTHON)`);
    dir = mkdtempSync(join(tmpdir(), 'salun-twins-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of Object.keys(SHAPES) as ArchitectureName[]) {
    it(`${name}: PyTorch's state_dict predicts PyTorch's logits in tfjs, and ours loads strictly into the twin`, () => {
      const s = SHAPES[name];
      const args = [name, String(s.channels), String(s.numClasses), String(s.height), dir];
      py(['make', ...args]);
      const io = readSafetensors(join(dir, 'io.safetensors'));
      const model = buildArchitecture(name, s, 1);
      try {
        loadTorchStateDict(model, name, readSafetensors(join(dir, 'state.safetensors')));
        const input = io.get('input');
        assert.ok(input);
        const ours = logitsOf(model, input);
        assertClose(ours, io.get('logits')?.data ?? [], `${name} tfjs vs torch`);
        writeSafetensors(join(dir, 'ours.safetensors'), torchStateDict(model, name));
        assertClose(JSON.parse(py(['eval', ...args])) as number[], ours, `${name} torch from our state_dict vs tfjs`);
      } finally {
        model.dispose();
      }
    });
  }
});
