// The checkpoint readers against files PyTorch wrote (test/fixtures/checkpoints/make.py, torch 2.13
// and Debian's torch 1.13): every tensor as torch.load reads it back, the layouts people save, and
// the files SalUn must refuse (code in the pickle, truncation, lying safetensors headers).
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readCheckpoint } from '../../src/store/checkpoints/checkpoint';
import { matchStateDict } from '../../src/store/checkpoints/matchKeys';
import { readSafetensors, writeSafetensors } from '../../src/store/checkpoints/safetensors';
import type { StateDict } from '../../src/store/checkpoints/stateDict';
import { UserError } from '../../src/store/errors';

const dir = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'checkpoints');
const fixture = (name: string): string => join(dir, name);

interface Expected {
  dtype: string;
  shape: number[];
  values: number[];
}
type Files = Record<string, Record<string, Expected>>;
const expected = (JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as { files: Files }).files;
const legacyExpected = (JSON.parse(readFileSync(fixture('expected-legacy.json'), 'utf8')) as { files: Files }).files;

function assertMatches(got: StateDict, want: Record<string, Expected>): void {
  assert.deepEqual([...got.keys()], Object.keys(want));
  for (const [name, w] of Object.entries(want)) {
    const t = got.get(name)!;
    assert.equal(t.dtype, w.dtype, name);
    assert.deepEqual(t.shape, w.shape, name);
    // float32 of PyTorch's value: exact for F32 and every narrower type, rounded for F64.
    assert.deepEqual(Array.from(t.data), Array.from(Float32Array.from(w.values)), name);
  }
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'salun-ckpt-'));
}

async function refused(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(readCheckpoint(path), (e: Error) => {
    assert.ok(e instanceof UserError, `${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    assert.equal(e.file, path);
    return true;
  });
}

describe('checkpoints: torch.save zips as torch 2.13 writes them', () => {
  it('a bare state_dict: every tensor, num_batches_tracked (int64) included, in order', async () => {
    assertMatches(await readCheckpoint(fixture('bare.pth')), expected['bare.pth']);
  });

  it('{"state_dict": …} beside epoch, optimizer and accuracy: the state_dict, the rest skipped and said', async () => {
    const notes: string[] = [];
    assertMatches(await readCheckpoint(fixture('wrapped.pt'), undefined, (n) => notes.push(n)), expected['wrapped.pt']);
    assert.match(notes.join('\n'), /under "state_dict"; skipped epoch, best_acc, optimizer, arch/);
  });

  it('{"model": …} with nn.DataParallel\'s module. prefixes: stripped', async () => {
    const notes: string[] = [];
    assertMatches(await readCheckpoint(fixture('dataparallel.pth'), undefined, (n) => notes.push(n)), expected['dataparallel.pth']);
    assert.match(notes.join('\n'), /module\./);
  });

  it('views into one storage: a slice, a transposed (non-contiguous) tensor, a strided slice, a scalar, an empty tensor', async () => {
    const got = await readCheckpoint(fixture('views.pth'));
    assertMatches(got, expected['views.pth']);
    assert.deepEqual(Array.from(got.get('transposed')!.data.slice(0, 4)), [0, 6 / 8, 12 / 8, 18 / 8]);
  });

  it('F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL storages, read into float32', async () => {
    assertMatches(await readCheckpoint(fixture('dtypes.pth')), expected['dtypes.pth']);
  });

  it('a zip written by torch 1.13 (archive folder named after the file)', async () => {
    assertMatches(await readCheckpoint(fixture('torch113.pth')), legacyExpected['torch113.pth']);
  });
});

describe('checkpoints: safetensors', () => {
  it('reads what the safetensors library wrote, metadata included', async () => {
    const { tensors, metadata } = await readSafetensors(fixture('python.safetensors'));
    const want = expected['python.safetensors'];
    // The reference writer orders tensors by dtype size then name; compare by name.
    assertMatches(new Map(Object.keys(want).map((k) => [k, tensors.get(k)!])), want);
    assert.deepEqual(metadata, { format: 'pt', note: 'written by safetensors' });
    assertMatches(await readCheckpoint(fixture('python.safetensors')), Object.fromEntries([...tensors.keys()].map((k) => [k, want[k]])));
  });

  it('writes what it reads back: dict order, I64 as int64, the header padded to 8', async () => {
    const source = await readCheckpoint(fixture('dtypes.pth'));
    const out = join(tempDir(), 'model.safetensors');
    writeSafetensors(out, source, { format: 'pt' });
    const bytes = readFileSync(out);
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<string, { dtype: string; data_offsets: number[] }>;
    assert.deepEqual(Object.keys(header), ['__metadata__', ...source.keys()]);
    assert.equal(header.int64.dtype, 'I64');
    const at = 8 + n + header.int64.data_offsets[0];
    assert.equal(bytes.readBigInt64LE(at + 8 * 3), 120n);
    assert.equal(bytes.readBigInt64LE(at), -7n);
    const back = await readSafetensors(out);
    assert.deepEqual(back.metadata, { format: 'pt' });
    for (const [k, t] of source) assert.deepEqual(back.tensors.get(k), t, k);
  });
});

describe('checkpoints: files SalUn refuses, each naming the file and the problem', () => {
  it('a pickle calling os.system or builtins.eval, a whole pickled model: refused by name, nothing run', async () => {
    await refused(fixture('os_system.pth'), /os_system\.pth asks for os\.system: SalUn reads tensors and dicts only, never runs code/);
    await refused(fixture('eval.pth'), /eval\.pth asks for builtins\.eval/);
    await assert.rejects(readCheckpoint(fixture('whole_model.pth')), (e: UserError) => /__main__\.Tiny/.test(e.message) && /whole model/.test(e.hint ?? ''));
  });

  it("torch's legacy (pre-1.6) format: re-save with a current torch or as safetensors", async () => {
    await assert.rejects(readCheckpoint(fixture('legacy.pth')), (e: UserError) => /legacy format/.test(e.message) && /safetensors/.test(e.hint ?? ''));
  });

  it('a truncated zip, and a file that is no checkpoint', async () => {
    const bytes = readFileSync(fixture('bare.pth'));
    const cut = join(tempDir(), 'cut.pth');
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    await refused(cut, /cut\.pth is an incomplete zip/);
    const torn = join(tempDir(), 'torn.pth');
    writeFileSync(torn, Buffer.from('not a checkpoint at all'));
    await refused(torn, /torn\.pth is neither a torch\.save checkpoint/);
  });

  it('safetensors headers that lie: 10 GB declared, overlapping offsets, length beyond the file, not JSON, duplicate names, unknown dtype', async () => {
    const folder = tempDir();
    const file = (name: string, header: string, data = 16): string => {
      const json = Buffer.from(header);
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      const p = join(folder, name);
      writeFileSync(p, Buffer.concat([len, json, Buffer.alloc(data)]));
      return p;
    };
    const big = file('big.safetensors', JSON.stringify({ w: { dtype: 'F32', shape: [2500000000], data_offsets: [0, 1e10] } }));
    await refused(big, /big\.safetensors .*tensor "w" declares 10\.0 GB .* holds 16 bytes/);
    const overlap = JSON.stringify({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } });
    await refused(file('overlap.safetensors', overlap), /tensor "b" overlaps "a"/);
    const long = join(folder, 'long.safetensors');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(1000n);
    writeFileSync(long, Buffer.concat([len, Buffer.from('{}')]));
    await refused(long, /header length says 1000 bytes but the file holds 10/);
    await refused(file('notjson.safetensors', '{"a": nope}'), /header is not JSON/);
    const dup = '{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}';
    await refused(file('dup.safetensors', dup), /names the tensor "a" twice/);
    await refused(file('c64.safetensors', JSON.stringify({ z: { dtype: 'C64', shape: [2], data_offsets: [0, 16] } })), /dtype "C64"/);
    await refused(
      file('span.safetensors', JSON.stringify({ z: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } })),
      /12 bytes, but its data_offsets span 16/,
    );
  });
});

describe('checkpoints: matching a state_dict to an architecture', () => {
  const t = (shape: number[]): StateDict extends Map<string, infer V> ? V : never => ({
    dtype: 'F32',
    shape,
    data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
  });

  it('passes an exact match, and tolerates a missing or extra num_batches_tracked', () => {
    const expectedShapes = new Map([
      ['fc.weight', [4, 12]],
      ['bn.num_batches_tracked', []],
    ]);
    matchStateDict(expectedShapes, new Map([['fc.weight', t([4, 12])]]), 'x.pth');
    matchStateDict(
      new Map([['fc.weight', [4, 12]]]),
      new Map([
        ['fc.weight', t([4, 12])],
        ['bn.num_batches_tracked', t([])],
      ]),
      'x.pth',
    );
  });

  it('lists missing, unexpected and mis-shaped keys, ten of each with counts, in one error', () => {
    const want = new Map<string, number[]>([['fc.weight', [10, 512]]]);
    for (let i = 0; i < 12; i++) want.set(`layer${i}.weight`, [3]);
    const got: StateDict = new Map([
      ['fc.weight', t([100, 512])],
      ['head.bias', t([3])],
    ]);
    assert.throws(
      () => matchStateDict(want, got, '/some/where/ckpt.pth'),
      (e: UserError) =>
        /^ckpt\.pth does not fit/.test(e.message) &&
        /12 missing: layer0\.weight, .*layer9\.weight, … \(2 more\)/.test(e.message) &&
        /1 unexpected: head\.bias/.test(e.message) &&
        /1 mis-shaped: fc\.weight \(expected \[10, 512\], got \[100, 512\]\)/.test(e.message) &&
        /architecture/.test(e.hint ?? '') &&
        e.file === '/some/where/ckpt.pth',
    );
  });
});
