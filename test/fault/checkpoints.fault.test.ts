// Hostile and damaged torch.save files beyond the fixtures: pickles written opcode by opcode here
// (never by a Python unpickler) that lie about their storages, and zips whose directory lies.
// Each must end in a UserError naming the file and the problem, never a crash or a huge allocation.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { readCheckpoint } from '../../src/store/checkpoints/checkpoint';
import { UserError } from '../../src/store/errors';
import { tempDir } from './faultKit';

const fixtures = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'checkpoints');
const enc = new TextEncoder();

function str(s: string): number[] {
  const b = enc.encode(s);
  return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b];
}
const int = (k: number): number[] => [0x4b, k];
const global = (module: string, name: string): number[] => [0x63, ...enc.encode(`${module}\n${name}\n`)];
const tuple = (...items: number[][]): number[] => [0x28, ...items.flat(), 0x74];

/** A state_dict {w: tensor} whose storage is `storageType` of `numel`, viewed at size/stride. */
function stateDictPickle(opts: { storageType?: string; numel?: number; size?: number[]; stride?: number[]; pidTag?: string; tail?: number[] }): Uint8Array {
  const pid = tuple(str(opts.pidTag ?? 'storage'), global('torch', opts.storageType ?? 'FloatStorage'), str('0'), str('cpu'), int(opts.numel ?? 4));
  const tensor = [
    ...global('torch._utils', '_rebuild_tensor_v2'),
    ...tuple([...pid, 0x51], int(0), tuple(...(opts.size ?? [4]).map(int)), tuple(...(opts.stride ?? [1]).map(int)), [0x89], [0x29]),
    0x52,
    ...(opts.tail ?? []),
  ];
  return Uint8Array.from([0x80, 0x02, ...global('collections', 'OrderedDict'), 0x29, 0x52, 0x28, ...str('w'), ...tensor, 0x75, 0x2e]);
}

function torchZip(name: string, pkl: Uint8Array, storage: Uint8Array | null = new Uint8Array(16)): string {
  const entries: Record<string, Uint8Array> = { 'archive/data.pkl': pkl, 'archive/byteorder': enc.encode('little') };
  if (storage) entries['archive/data/0'] = storage;
  const path = join(tempDir('ckpt'), name);
  writeFileSync(path, zipSync(entries, { level: 0 }));
  return path;
}

async function refused(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(readCheckpoint(path), (e: Error) => {
    assert.ok(e instanceof UserError, `${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    assert.equal(e.file, path);
    return true;
  });
}

describe('fault: hostile torch.save checkpoints', () => {
  it('the hand-written pickle itself is read when nothing lies (the cases below differ in one thing each)', async () => {
    const sd = await readCheckpoint(torchZip('good.pth', stateDictPickle({}), new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer)));
    assert.deepEqual(Array.from(sd.get('w')!.data), [1, 2, 3, 4]);
  });

  it('a view reaching past its storage', async () => {
    await refused(torchZip('reach.pth', stateDictPickle({ size: [10] })), /reach\.pth .*shape \[10\] reaches element 9 of storage 0, which holds 4/);
  });

  it('a storage entry shorter than its declared elements, or missing', async () => {
    await refused(torchZip('short.pth', stateDictPickle({}), new Uint8Array(8)), /short\.pth is damaged: storage 0 holds 8 bytes but 4 F32 elements need 16/);
    await refused(torchZip('gone.pth', stateDictPickle({}), null), /gone\.pth .*storage 0 has no entry archive\/data\/0/);
  });

  it('a persistent id that is not a storage, a storage type outside the list', async () => {
    await refused(torchZip('pid.pth', stateDictPickle({ pidTag: 'module' })), /pid\.pth .*persistent id that is not a storage/);
    await refused(torchZip('complex.pth', stateDictPickle({ storageType: 'ComplexFloatStorage' })), /complex\.pth asks for torch\.ComplexFloatStorage/);
  });

  it('BUILD that would rewrite a tensor record after it was checked', async () => {
    const tail = [0x7d, ...str('offset'), ...int(100), 0x73, 0x62]; // {} 'offset' 100 SETITEM BUILD
    await refused(torchZip('build.pth', stateDictPickle({ tail })), /build\.pth .*does not unpickle/);
  });

  it('a zip whose directory claims 65535 entries in a few KB', async () => {
    const bytes = Buffer.from(readFileSync(join(fixtures, 'bare.pth')));
    const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    bytes.writeUInt16LE(65535, end + 8);
    bytes.writeUInt16LE(65535, end + 10);
    // torch writes a zip64 end record too, which readers take the count from.
    bytes.writeBigUInt64LE(65535n, bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06])) + 32);
    const path = join(tempDir('ckpt'), 'many.pth');
    writeFileSync(path, bytes);
    await refused(path, /many\.pth is not a valid zip: it declares 65535 entries/);
  });
});
