// tfjs ↔ PyTorch weight layouts, shared by the PyTorch twins (torchTwins.ts) and the ONNX export
// (onnxExport.ts), whose initializers are PyTorch's tensors too. Pure permutations of Float32Arrays,
// so a round trip is bit for bit:
// - Conv2D kernel: tfjs [kh, kw, in, out] ↔ torch [out, in, kh, kw];
// - DepthwiseConv2D kernel: tfjs [kh, kw, in, m] ↔ torch [in·m, 1, kh, kw] (output channel i·m + j);
// - Dense kernel: tfjs [in, out] ↔ Linear [out, in]. A Dense fed by a Flatten of an h×w×c map also
//   has its inputs reordered: tfjs flattens NHWC ((y·w + x)·c + ch), PyTorch NCHW (ch·h·w + y·w + x).
import type { T } from '../tf';

/** [kh, kw, in, out] → [out, in, kh, kw]. */
export function convToTorch(data: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = data[((y * kw + x) * cin + i) * cout + o];
  return out;
}

/** [out, in, kh, kw] → [kh, kw, in, out], `shape` being the tfjs one. */
export function convFromTorch(data: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) out[((y * kw + x) * cin + i) * cout + o] = data[((o * cin + i) * kh + y) * kw + x];
  return out;
}

export function convTorchShape(shape: readonly number[]): number[] {
  return [shape[3], shape[2], shape[0], shape[1]];
}

/** Depthwise [kh, kw, in, m] → [in·m, 1, kh, kw]: the same element order as a conv with in = 1, out = in·m. */
export function depthwiseToTorch(data: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, cin, m] = shape;
  return convToTorch(data, [kh, kw, 1, cin * m]);
}

export function depthwiseTorchShape(shape: readonly number[]): number[] {
  return [shape[2] * shape[3], 1, shape[0], shape[1]];
}

/** The NHWC position of each NCHW-flattened input: nhwcOf[chw index] = hwc index. */
function nhwcIndexOf(map: readonly [number, number, number]): Int32Array {
  const [h, w, c] = map;
  const index = new Int32Array(h * w * c);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) index[(ch * h + y) * w + x] = (y * w + x) * c + ch;
  return index;
}

/** Dense [in, out] → Linear [out, in]; `flattened` = the h×w×c map a Flatten made the inputs of. */
export function denseToTorch(data: Float32Array, shape: readonly number[], flattened?: readonly [number, number, number]): Float32Array {
  const [cin, cout] = shape;
  const row = flattened ? nhwcIndexOf(flattened) : undefined;
  const out = new Float32Array(data.length);
  for (let o = 0; o < cout; o++) for (let q = 0; q < cin; q++) out[o * cin + q] = data[(row ? row[q] : q) * cout + o];
  return out;
}

/** Linear [out, in] → Dense [in, out] (`shape` the tfjs one), undoing denseToTorch's reordering. */
export function denseFromTorch(data: Float32Array, shape: readonly number[], flattened?: readonly [number, number, number]): Float32Array {
  const [cin, cout] = shape;
  const row = flattened ? nhwcIndexOf(flattened) : undefined;
  const out = new Float32Array(data.length);
  for (let o = 0; o < cout; o++) for (let q = 0; q < cin; q++) out[(row ? row[q] : q) * cout + o] = data[o * cin + q];
  return out;
}

/** Layers that hand a 2-D tensor on unchanged in shape and feature order. */
const FEATURE_ORDER_KEEPING = new Set(['Dropout', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** Whether a layer of this class hands its (2-D) input on in the same feature order: what flattenedMapOf walks through. */
export function keepsFeatureOrder(className: string): boolean {
  return FEATURE_ORDER_KEEPING.has(className);
}

/**
 * The h×w×c map whose Flatten feeds `tensor` (through layers that keep the feature order), or
 * undefined when its features are not a flattened image map.
 */
export function flattenedMapOf(tensor: T.SymbolicTensor): [number, number, number] | undefined {
  let t = tensor;
  while (keepsFeatureOrder(t.sourceLayer.getClassName()) && t.inputs.length === 1) t = t.inputs[0];
  if (t.sourceLayer.getClassName() !== 'Flatten' || t.inputs.length !== 1) return undefined;
  const s = t.inputs[0].shape;
  if (s.length !== 4 || s.slice(1).some((d) => d === null)) return undefined;
  return [s[1] as number, s[2] as number, s[3] as number];
}

/** The map flattened into a Dense layer's inputs (first call of the layer), as flattenedMapOf. */
export function flattenedInputOf(layer: T.layers.Layer): [number, number, number] | undefined {
  const input = layer.inboundNodes[0]?.inputTensors[0];
  return input ? flattenedMapOf(input) : undefined;
}
