// The reference models test/peers/models.py writes (node scripts/peers.mjs puts them in
// .cache/peer-models/<torch>/), read back with validation so a stale or partial folder fails loudly
// instead of comparing against nothing. SALUN_PEER_MODELS points elsewhere.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type TorchRun = 'torch213' | 'torch113';

export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface PeerExport {
  readonly path: string;
  readonly file: string;
  readonly exporter: 'torchscript' | 'dynamo';
  readonly mode: 'training' | 'eval';
  /** The opset in the file (the dynamo exporter writes 20 unless asked otherwise). */
  readonly opset: number;
  readonly torch: string;
  readonly ops: Readonly<Record<string, number>>;
  readonly bnFolded: boolean;
  /** ORT's eval-mode logits on the model's input (BN training_mode and Dropout switched off in memory). */
  readonly ortEvalLogits: Tensor | null;
}

export interface PeerModel {
  readonly name: string;
  readonly folder: string;
  readonly torch: string;
  readonly numClasses: number;
  /** 'log_softmax' when the graph ends in LogSoftmax. */
  readonly output: 'logits' | 'log_softmax';
  readonly exports: readonly PeerExport[];
  /** NCHW float32 in [0, 1], no normalisation. */
  readonly input: Tensor;
  readonly labels: Int32Array;
  readonly evalLogits: Tensor;
  readonly trainLogits: Tensor;
  readonly checkpoints: Readonly<Record<string, string>>;
  readonly stateDictKeys: readonly { name: string; shape: number[]; dtype: string }[];
  /** Gradients of mean cross-entropy in train mode (BN batch statistics, Dropout off), by state_dict key. */
  gradients(): Map<string, Tensor>;
}

export function peerModelsDir(): string {
  return resolve(process.env.SALUN_PEER_MODELS ?? join(__dirname, '..', '..', '..', '.cache', 'peer-models'));
}

type Json = Record<string, unknown>;

function field<T>(o: Json, key: string, check: (v: unknown) => v is T, where: string): T {
  const v = o[key];
  if (!check(v)) throw new Error(`${where}: "${key}" is missing or malformed in the peer manifest (rerun node scripts/peers.mjs --force)`);
  return v;
}
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isArr = (v: unknown): v is unknown[] => Array.isArray(v);
const isShape = (v: unknown): v is number[] => isArr(v) && v.every((d) => Number.isInteger(d) && (d as number) >= 0);

function readF32(path: string, shape: readonly number[]): Float32Array {
  const buf = readFileSync(path);
  const n = shape.reduce((a, b) => a * b, 1);
  if (buf.byteLength !== n * 4) throw new Error(`${path}: ${buf.byteLength} bytes, expected ${n * 4} for shape [${shape.join(', ')}]`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

function tensorAt(folder: string, spec: unknown, where: string): Tensor {
  if (!isObj(spec)) throw new Error(`${where}: not a tensor description`);
  const shape = field(spec, 'shape', isShape, where);
  return { shape, data: readF32(join(folder, field(spec, 'file', isStr, where)), shape) };
}

/** safetensors: 8-byte little-endian header length, a JSON header, then the raw data. */
export function readSafetensors(path: string): Map<string, Tensor> {
  const buf = readFileSync(path);
  const len = Number(buf.readBigUInt64LE(0));
  if (len <= 0 || 8 + len > buf.byteLength) throw new Error(`${path}: not a safetensors file`);
  const header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, Tensor>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (t.dtype !== 'F32') throw new Error(`${path}: ${name} is ${t.dtype}, expected F32`);
    const [b, e] = t.data_offsets;
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset + 8 + len + b, buf.byteOffset + 8 + len + e));
    out.set(name, { shape: t.shape, data });
  }
  return out;
}

function readGradients(folder: string, spec: Json, where: string): Map<string, Tensor> {
  const format = field(spec, 'format', isStr, where);
  if (format === 'safetensors') return readSafetensors(join(folder, field(spec, 'file', isStr, where)));
  const index = JSON.parse(readFileSync(join(folder, field(spec, 'index', isStr, where)), 'utf8')) as {
    tensors: Record<string, { shape: number[]; offset: number; bytes: number }>;
  };
  const buf = readFileSync(join(folder, field(spec, 'file', isStr, where)));
  const out = new Map<string, Tensor>();
  for (const [name, t] of Object.entries(index.tensors)) {
    const data = new Float32Array(t.bytes / 4);
    for (let i = 0; i < data.length; i++) data[i] = buf.readFloatLE(t.offset + i * 4);
    out.set(name, { shape: t.shape, data });
  }
  return out;
}

function readExport(folder: string, e: Json, where: string): PeerExport | null {
  if (e.error !== undefined) return null; // the exporter failed under this torch: recorded, not a fixture
  const file = field(e, 'file', isStr, where);
  const w = `${where}/${file}`;
  const exporter = field(e, 'exporter', (v): v is 'torchscript' | 'dynamo' => v === 'torchscript' || v === 'dynamo', w);
  const mode = field(e, 'mode', (v): v is 'training' | 'eval' => v === 'training' || v === 'eval', w);
  const ort = isObj(e.ort) ? e.ort : null;
  return {
    path: join(folder, file),
    file,
    exporter,
    mode,
    opset: field(e, 'opset', isNum, w),
    torch: field(e, 'torch', isStr, w),
    ops: field(e, 'ops', (v): v is Record<string, number> => isObj(v) && Object.values(v).every(isNum), w),
    bnFolded: field(e, 'bn_folded', (v): v is boolean => typeof v === 'boolean', w),
    ortEvalLogits: ort ? tensorAt(folder, ort.eval_logits, w) : null,
  };
}

function readModel(runDir: string, torch: string, m: Json): PeerModel {
  const name = field(m, 'name', isStr, runDir);
  const where = `${runDir}/${name}`;
  const folder = join(runDir, field(m, 'folder', isStr, where));
  const input = tensorAt(folder, m.input, `${where} input`);
  const labelsSpec = field(m, 'labels', isObj, where);
  const labels = Int32Array.from(field(labelsSpec, 'values', (v): v is number[] => isArr(v) && v.every((x) => Number.isInteger(x)), where));
  if (labels.length !== input.shape[0]) throw new Error(`${where}: ${labels.length} labels for ${input.shape[0]} images`);
  const logits = field(m, 'logits', isObj, where);
  const grads = field(m, 'gradients', isObj, where);
  const sd = field(m, 'state_dict', isObj, where);
  const exports = field(m, 'exports', isArr, where)
    .filter(isObj)
    .map((e) => readExport(folder, e, where))
    .filter((e): e is PeerExport => e !== null);
  return {
    name,
    folder,
    torch,
    numClasses: field(m, 'num_classes', isNum, where),
    output: m.output === 'log_softmax' ? 'log_softmax' : 'logits',
    exports,
    input,
    labels,
    evalLogits: tensorAt(folder, logits.eval, `${where} eval logits`),
    trainLogits: tensorAt(folder, logits.train, `${where} train logits`),
    checkpoints: Object.fromEntries(Object.entries(field(sd, 'files', isObj, where)).map(([k, v]) => [k, join(folder, String(v))])),
    stateDictKeys: field(sd, 'keys', (v): v is { name: string; shape: number[]; dtype: string }[] => isArr(v), where),
    gradients: () => readGradients(folder, grads, `${where} gradients`),
  };
}

/** Every model of one torch's folder; throws, naming the command to run, when it is not there. */
export function peerModels(run: TorchRun): PeerModel[] {
  const runDir = join(peerModelsDir(), run);
  const manifestPath = join(runDir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} not found: run node scripts/peers.mjs`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as unknown;
  if (!isObj(manifest) || manifest.format !== 1) throw new Error(`${manifestPath}: not a format-1 peer manifest (rerun node scripts/peers.mjs --force)`);
  const versions = field(manifest, 'versions', isObj, manifestPath);
  const torch = field(versions, 'torch', isStr, manifestPath);
  return field(manifest, 'models', isArr, manifestPath)
    .filter(isObj)
    .map((m) => readModel(runDir, torch, m));
}

/** The largest |a - b| over the largest |b|: the peers' "within 1e-4 relative to the largest logit". */
export function relativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let top = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    top = Math.max(top, Math.abs(b[i]));
  }
  return diff / Math.max(top, 1e-30);
}
