// An ONNX file as the importer needs it: nodes in an order where every input is made before it is
// used, initializers as typed arrays, attributes as plain values. The protobuf is decoded with
// onnx-proto (the published onnx.proto compiled for protobufjs), never by hand. Everything in the
// file is data from outside: sizes are checked before anything is allocated from them, external
// data files must lie inside the model's folder, and a graph with a cycle is refused.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { onnx } from 'onnx-proto';
import { throwIfAborted, UserError } from '../../../store/errors';

export type OnnxDtype = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export interface OnnxTensor {
  name: string;
  dtype: OnnxDtype;
  dims: number[];
  /** Floating values as float32; integers (exact to 2^53) as float64. */
  values: Float32Array | Float64Array;
}

export type OnnxAttr = number | string | number[] | string[] | OnnxTensor;

export interface OnnxNode {
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, OnnxAttr>;
}

export interface OnnxValueInfo {
  name: string;
  /** A dimension is a number, or its symbolic name (the batch: "batch", "N"), or null when unknown. */
  dims: Array<number | string | null>;
}

export interface OnnxGraph {
  path: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  /** The graph's inputs that are not initializers: what the caller feeds. */
  inputs: OnnxValueInfo[];
  outputs: string[];
  /** The default domain's opset. */
  opset: number;
  producer: string;
  /** The external data files the initializers were read from (absolute paths). */
  externalFiles: string[];
}

/** The opsets whose semantics the op table follows (13 is where Split/Squeeze/Unsqueeze took their axes as inputs). */
export const OPSETS = { min: 13, max: 21 } as const;

/** A file larger than this is refused before it is read: ONNX's own protobuf limit is 2 GB. */
const MAX_FILE_BYTES = 2 ** 31;

const DTYPES: Partial<Record<number, { dtype: OnnxDtype; bytes: number }>> = {
  [onnx.TensorProto.DataType.FLOAT]: { dtype: 'float32', bytes: 4 },
  [onnx.TensorProto.DataType.DOUBLE]: { dtype: 'float64', bytes: 8 },
  [onnx.TensorProto.DataType.FLOAT16]: { dtype: 'float16', bytes: 2 },
  [onnx.TensorProto.DataType.INT64]: { dtype: 'int64', bytes: 8 },
  [onnx.TensorProto.DataType.INT32]: { dtype: 'int32', bytes: 4 },
  [onnx.TensorProto.DataType.INT8]: { dtype: 'int8', bytes: 1 },
  [onnx.TensorProto.DataType.UINT8]: { dtype: 'uint8', bytes: 1 },
  [onnx.TensorProto.DataType.BOOL]: { dtype: 'bool', bytes: 1 },
};

type Bad = (why: string, hint?: string) => never;

const EXPORT_HINT = 'Export the model again with torch.onnx.export (see "Bring your PyTorch model" in the docs), or check that the file was copied whole.';

function num(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decodeRaw(bytes: Uint8Array, dtype: OnnxDtype, count: number): Float32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'float64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'float16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true));
      return out;
    }
    case 'int64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      return out;
    }
    case 'int32': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'int8': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      return out;
    }
    case 'uint8':
    case 'bool': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      return out;
    }
  }
}

/** A path from the file (external data) as a file inside the model's folder, or an error. */
function externalFileInside(modelDir: string, location: string, bad: Bad): string {
  const hint = 'Keep model.onnx and its .onnx.data file together in one folder (torch.onnx.export writes them so).';
  const within = (root: string, file: string): boolean => {
    const r = relative(root, file);
    return r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r);
  };
  if (location.length === 0 || isAbsolute(location)) bad(`external data location ${JSON.stringify(location)} is not a relative file name`, hint);
  const file = resolve(modelDir, location);
  if (!within(modelDir, file)) bad(`external data location ${JSON.stringify(location)} points outside the model's folder ${modelDir}`, hint);
  if (!existsSync(file)) bad(`external data file ${location} is missing`, hint);
  if (!within(realpathSync(modelDir), realpathSync(file))) bad(`external data location ${JSON.stringify(location)} is a link out of the model's folder`, hint);
  if (!statSync(file).isFile()) bad(`external data location ${JSON.stringify(location)} is not a regular file`, hint);
  return file;
}

function tensorOf(t: onnx.ITensorProto, where: string, modelDir: string, external: Map<string, Buffer>, bad: Bad): OnnxTensor {
  const name = t.name ?? '';
  const spec = DTYPES[t.dataType ?? 0];
  if (!spec)
    bad(
      `${where} ${JSON.stringify(name)} has data type ${t.dataType ?? 0}, which SalUn does not read (float, double, float16, int64, int32, int8, uint8, bool)`,
    );
  const dims = (t.dims ?? []).map(num);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(`${where} ${JSON.stringify(name)} has dimensions [${dims.join(', ')}]`, EXPORT_HINT);
  const count = dims.reduce((a, b) => a * b, 1);
  // Checked against the bytes actually there before anything of that size is allocated: a
  // declared 10 GB tensor in a small file is refused here, not after an allocation fails.
  const declared = count * spec.bytes;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = entries.get('location') ?? '';
    const file = externalFileInside(modelDir, location, bad);
    let data = external.get(file);
    if (!data) {
      data = readFileSync(file);
      external.set(file, data);
    }
    const offset = Number(entries.get('offset') ?? '0');
    const length = entries.has('length') ? Number(entries.get('length')) : declared;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > data.length)
      bad(`${where} ${JSON.stringify(name)} reads bytes ${offset}…${offset + length} of ${location}, which has ${data.length}`, EXPORT_HINT);
    if (length !== declared)
      bad(
        `${where} ${JSON.stringify(name)} declares ${declared} bytes ([${dims.join(', ')}] ${spec.dtype}) but its external data holds ${length}`,
        EXPORT_HINT,
      );
    return { name, dtype: spec.dtype, dims, values: decodeRaw(data.subarray(offset, offset + length), spec.dtype, count) };
  }
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== declared)
      bad(`${where} ${JSON.stringify(name)} declares [${dims.join(', ')}] ${spec.dtype} (${declared} bytes) but holds ${t.rawData.length} bytes`, EXPORT_HINT);
    return { name, dtype: spec.dtype, dims, values: decodeRaw(t.rawData, spec.dtype, count) };
  }
  const typed: number[] | undefined =
    spec.dtype === 'float32'
      ? (t.floatData ?? undefined)
      : spec.dtype === 'float64'
        ? (t.doubleData ?? undefined)
        : spec.dtype === 'int64'
          ? (t.int64Data ?? []).map(num)
          : (t.int32Data ?? undefined);
  const values = typed ?? [];
  if (values.length !== count) bad(`${where} ${JSON.stringify(name)} declares ${count} values ([${dims.join(', ')}]) but holds ${values.length}`, EXPORT_HINT);
  return {
    name,
    dtype: spec.dtype,
    dims,
    values: spec.dtype === 'float32' || spec.dtype === 'float64' || spec.dtype === 'float16' ? Float32Array.from(values) : Float64Array.from(values),
  };
}

function attrsOf(n: onnx.INodeProto, where: string, modelDir: string, external: Map<string, Buffer>, bad: Bad): Map<string, OnnxAttr> {
  const out = new Map<string, OnnxAttr>();
  const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
  for (const a of n.attribute ?? []) {
    const name = a.name ?? '';
    switch (a.type) {
      case onnx.AttributeProto.AttributeType.FLOAT:
        out.set(name, a.f ?? 0);
        break;
      case onnx.AttributeProto.AttributeType.INT:
        out.set(name, num(a.i as number | null | undefined));
        break;
      case onnx.AttributeProto.AttributeType.STRING:
        out.set(name, text(a.s ?? new Uint8Array()));
        break;
      case onnx.AttributeProto.AttributeType.FLOATS:
        out.set(name, [...(a.floats ?? [])]);
        break;
      case onnx.AttributeProto.AttributeType.INTS:
        out.set(name, (a.ints ?? []).map(num));
        break;
      case onnx.AttributeProto.AttributeType.STRINGS:
        out.set(name, (a.strings ?? []).map(text));
        break;
      case onnx.AttributeProto.AttributeType.TENSOR:
        out.set(name, tensorOf(a.t ?? {}, `${where}'s attribute`, modelDir, external, bad));
        break;
      default:
        // Graph-valued attributes (If, Loop) and the rest: kept out; the op table refuses such nodes by op.
        break;
    }
  }
  return out;
}

/** Orders nodes so that each comes after the producers of its inputs; a cycle is an error naming a node on it. */
function topological(nodes: OnnxNode[], available: Set<string>, bad: Bad): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const state = new Uint8Array(nodes.length); // 0 new, 1 on the stack, 2 done
  const order: OnnxNode[] = [];
  for (let start = 0; start < nodes.length; start++) {
    if (state[start]) continue;
    // Iterative depth-first search: a deep graph (hundreds of nodes in a chain) must not overflow the stack.
    const stack: Array<{ i: number; next: number }> = [{ i: start, next: 0 }];
    state[start] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const node = nodes[top.i];
      if (top.next < node.inputs.length) {
        const input = node.inputs[top.next++];
        if (!input || available.has(input)) continue;
        const p = producer.get(input);
        if (p === undefined)
          bad(`node ${node.name || node.op} (${node.op}) reads ${JSON.stringify(input)}, which no node, input or initializer makes`, EXPORT_HINT);
        if (state[p] === 1)
          bad(`the graph has a cycle through node ${nodes[p].name || nodes[p].op} (${nodes[p].op}); an ONNX graph must be acyclic`, EXPORT_HINT);
        if (state[p] === 0) {
          state[p] = 1;
          stack.push({ i: p, next: 0 });
        }
      } else {
        state[top.i] = 2;
        order.push(node);
        stack.pop();
      }
    }
  }
  return order;
}

/**
 * Copies every initializer's external data into the model itself, so a model written elsewhere
 * (a run folder) stands alone. The locations are confined to the folder of `path` as when read.
 */
export function inlineExternalData(m: onnx.IModelProto, path: string): void {
  const bad: Bad = (why, hint = EXPORT_HINT) => {
    throw new UserError(`${path}: ${why}`, hint, path);
  };
  const external = new Map<string, Buffer>();
  for (const t of m.graph?.initializer ?? []) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const file = externalFileInside(dirname(path), entries.get('location') ?? '', bad);
    let data = external.get(file);
    if (!data) {
      data = readFileSync(file);
      external.set(file, data);
    }
    const offset = Number(entries.get('offset') ?? '0');
    const count = (t.dims ?? []).map(num).reduce((a, b) => a * b, 1);
    const length = entries.has('length') ? Number(entries.get('length')) : count * (DTYPES[t.dataType ?? 0]?.bytes ?? 0);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > data.length)
      bad(`initializer ${JSON.stringify(t.name ?? '')} reads bytes ${offset}…${offset + length} of ${file}, which has ${data.length}`);
    t.rawData = new Uint8Array(data.subarray(offset, offset + length));
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    t.externalData = [];
  }
}

/** Decodes and checks an ONNX model already read into memory. */
export function parseOnnx(bytes: Uint8Array, path: string): OnnxGraph {
  const bad: Bad = (why, hint = EXPORT_HINT) => {
    throw new UserError(`${path}: ${why}`, hint, path);
  };
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return bad(`not an ONNX model (${(e as Error).message})`, `Give a .onnx file written by torch.onnx.export or onnx.save. ${EXPORT_HINT}`);
  }
  const g = model.graph;
  if (!g || (g.node ?? []).length === 0)
    bad('not an ONNX model: it has no graph (or an empty one)', `Give a .onnx file written by torch.onnx.export or onnx.save.`);
  const opsetEntry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = opsetEntry ? num(opsetEntry.version as number | null | undefined) : 0;
  if (opset < OPSETS.min || opset > OPSETS.max)
    bad(
      `opset ${opset || 'none'}: SalUn reads opsets ${OPSETS.min}–${OPSETS.max}`,
      `Export again with opset_version between ${OPSETS.min} and ${OPSETS.max} (torch.onnx.export(..., opset_version=17)).`,
    );
  const modelDir = dirname(path);
  const external = new Map<string, Buffer>();
  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) {
    const tensor = tensorOf(t, 'initializer', modelDir, external, bad);
    if (initializers.has(tensor.name)) bad(`initializer ${JSON.stringify(tensor.name)} appears twice`);
    initializers.set(tensor.name, tensor);
  }
  const nodes: OnnxNode[] = (g.node ?? []).map((n, i) => {
    const name = n.name || `#${i}`;
    return {
      name,
      op: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attrs: attrsOf(n, `node ${name}`, modelDir, external, bad),
    };
  });
  const inputs: OnnxValueInfo[] = (g.input ?? [])
    .filter((v) => !initializers.has(v.name ?? ''))
    .map((v) => ({
      name: v.name ?? '',
      dims: (v.type?.tensorType?.shape?.dim ?? []).map((d) =>
        d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? num(d.dimValue as number) : null,
      ),
    }));
  if (inputs.length !== 1)
    bad(
      `the graph has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ') || 'none'}); a classifier has one, the images`,
      'Export the model with one input tensor (torch.onnx.export(net, x, ...) with x a batch of images).',
    );
  const outputs = (g.output ?? []).map((o) => o.name ?? '');
  if (outputs.length !== 1)
    bad(`the graph has ${outputs.length} outputs; a classifier has one, the logits (or probabilities)`, 'Export a model whose forward returns one tensor.');
  const available = new Set<string>([...initializers.keys(), inputs[0].name]);
  return {
    path,
    nodes: topological(nodes, available, bad),
    initializers,
    inputs,
    outputs,
    opset,
    producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(),
    externalFiles: [...external.keys()],
  };
}

/** Reads and checks an ONNX file; `signal` stops it before the (possibly large) read. */
export async function readOnnx(path: string, signal?: AbortSignal): Promise<{ graph: OnnxGraph; bytes: Buffer }> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UserError(`${abs}: file not found`, 'Give the path of a .onnx file.', abs);
  const size = statSync(abs).size;
  if (size > MAX_FILE_BYTES)
    throw new UserError(`${abs}: ${size} bytes, more than ONNX's 2 GB limit for one file`, 'Export with external data (the .onnx.data file beside it).', abs);
  let bytes: Buffer;
  try {
    bytes = await readFile(abs, { signal });
  } catch (e) {
    throwIfAborted(signal);
    throw new UserError(`${abs}: cannot read (${(e as Error).message})`, 'Check the file permissions.', abs);
  }
  return { graph: parseOnnx(bytes, abs), bytes };
}
