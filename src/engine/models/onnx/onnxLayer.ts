// The one tfjs layer an imported ONNX graph needs beyond tfjs-layers' own: the ONNX ops tfjs has
// no layer for (constant arithmetic, Clip, HardSwish, GELU, Erf, padding for max-pooling,
// grouped convolution, NCHW-order reshapes and transposes). Each is a row of FUNCTIONS, a pure
// function of the input tensors and the layer's JSON config, so a model saves, clones and loads
// as a plain LayersModel (io.ts imports this module, which registers the class). Only the grouped
// convolution holds weights. Everything else the importer maps onto tfjs-layers' own layers, so
// batch norm keeps the backends' fused training kernels and an imported network costs what its
// built-in twin costs.
import { tf, type T } from '../../tf';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** A constant operand, stored in the layer's config (small: scalars, per-channel vectors). */
export interface ConstOperand {
  shape: number[];
  values: number[];
}

export interface OnnxOpConfig {
  fn: keyof typeof FUNCTIONS;
  /** The output's tfjs shape without the batch dimension. */
  outShape: number[];
  attrs: Record<string, number | string | boolean | number[] | number[][] | null>;
  constant?: ConstOperand | null;
}

type Fn = (xs: T.Tensor[], c: OnnxOpConfig, weights: T.Tensor[]) => T.Tensor;

function constTensor(c: OnnxOpConfig): T.Tensor {
  if (!c.constant) throw new Error(`${c.fn} needs a constant operand`);
  return tf.tensor(c.constant.values, c.constant.shape, 'float32');
}

function num(c: OnnxOpConfig, key: string): number {
  const v = c.attrs[key];
  if (typeof v !== 'number') throw new Error(`${c.fn}: attribute ${key} is missing`);
  return v;
}

const BINARY: Record<string, (a: T.Tensor, b: T.Tensor) => T.Tensor> = {
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  pow: (a, b) => tf.pow(a, b),
};

const UNARY: Record<string, (x: T.Tensor, c: OnnxOpConfig) => T.Tensor> = {
  clip: (x, c) => tf.clipByValue(x, num(c, 'min'), num(c, 'max')),
  // ONNX HardSigmoid: max(0, min(1, αx + β)); PyTorch's Hardsigmoid is α = 1/6, β = 1/2.
  hardSigmoid: (x, c) => tf.clipByValue(tf.add(tf.mul(x, num(c, 'alpha')), num(c, 'beta')), 0, 1),
  hardSwish: (x) => tf.mul(x, tf.clipByValue(tf.add(tf.mul(x, 1 / 6), 0.5), 0, 1)),
  // GELU as PyTorch's default (exact, erf) or its tanh approximation (approximate='tanh').
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
  geluTanh: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))))),
  erf: (x) => tf.erf(x),
  neg: (x) => tf.neg(x),
  sqrt: (x) => tf.sqrt(x),
  exp: (x) => tf.exp(x),
  log: (x) => tf.log(x),
  abs: (x) => tf.abs(x),
  reciprocal: (x) => tf.reciprocal(x),
  softplus: (x) => tf.softplus(x),
  elu: (x, c) => (num(c, 'alpha') === 1 ? tf.elu(x) : tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), num(c, 'alpha')))),
  selu: (x) => tf.selu(x),
  logSoftmax: (x) => tf.logSoftmax(x),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
};

const FUNCTIONS = {
  /** x (op) constant, or constant (op) x when attrs.constFirst; or x (op) y for two inputs. */
  binary: (xs, c) => {
    const f = BINARY[String(c.attrs.op)];
    if (!f) throw new Error(`unknown binary op ${String(c.attrs.op)}`);
    if (xs.length === 2) return f(xs[0], xs[1]);
    const k = constTensor(c);
    return c.attrs.constFirst ? f(k, xs[0]) : f(xs[0], k);
  },
  unary: (xs, c) => {
    const f = UNARY[String(c.attrs.op)];
    if (!f) throw new Error(`unknown unary op ${String(c.attrs.op)}`);
    return f(xs[0], c);
  },
  /** tf.pad with per-axis [before, after] (tfjs axes, batch first) and a constant (float32's lowest before max-pooling). */
  pad: (xs, c) => {
    const pads = c.attrs.pads as number[][];
    const mode = String(c.attrs.mode ?? 'constant');
    if (mode === 'reflect') return tf.mirrorPad(xs[0], pads as Array<[number, number]>, 'reflect');
    // Finite: a model.json cannot hold ±Infinity; max-pooling pads with float32's lowest instead.
    return tf.pad(xs[0], pads as Array<[number, number]>, num(c, 'value'));
  },
  /** Average pooling over explicit padding that leaves the padding out of each window's count (ONNX count_include_pad=0). */
  avgPoolExcludingPad: (xs, c) => {
    const pads = c.attrs.pads as number[][];
    const size = c.attrs.kernel as [number, number];
    const strides = c.attrs.strides as [number, number];
    const x = xs[0] as T.Tensor4D;
    const sum = tf.avgPool(tf.pad(x, pads as Array<[number, number]>), size, strides, 'valid');
    const ones = tf.ones([1, x.shape[1], x.shape[2], 1]);
    const count = tf.avgPool(tf.pad(ones, pads as Array<[number, number]>) as T.Tensor4D, size, strides, 'valid');
    return tf.div(sum, count);
  },
  /** tf.transpose by a tfjs-axes permutation (batch first). */
  transpose: (xs, c) => tf.transpose(xs[0], c.attrs.perm as number[]),
  /**
   * ONNX Reshape/Flatten in ONNX's element order: NHWC values go to NCHW first (`pre`), and a
   * 4-D result comes back to NHWC (`post`).
   */
  reshape: (xs, c) => {
    let x = xs[0];
    if (c.attrs.pre) x = tf.transpose(x, c.attrs.pre as number[]);
    x = tf.reshape(x, [x.shape[0], ...(c.attrs.shape as number[])]);
    return c.attrs.post ? tf.transpose(x, c.attrs.post as number[]) : x;
  },
  /** Sum/mean/max over tfjs axes. */
  reduce: (xs, c) => {
    const axes = c.attrs.axes as number[];
    const keep = c.attrs.keepDims === true;
    const op = String(c.attrs.op);
    return op === 'mean' ? tf.mean(xs[0], axes, keep) : op === 'sum' ? tf.sum(xs[0], axes, keep) : tf.max(xs[0], axes, keep);
  },
  softmax: (xs, c) => {
    const axis = num(c, 'axis');
    const x = xs[0];
    const last = x.rank - 1;
    if (axis === last || axis === -1) return tf.softmax(x);
    const perm = [...Array(x.rank).keys()];
    [perm[axis], perm[last]] = [perm[last], perm[axis]];
    return tf.transpose(tf.softmax(tf.transpose(x, perm)), perm);
  },
  /**
   * Convolution with `groups` > 1 that is not depthwise: each group's input channels through its
   * own slice of the kernel [kh, kw, in/groups, out]. Padding was applied before ('valid').
   */
  groupConv: (xs, c, w) => {
    const groups = num(c, 'groups');
    const strides = c.attrs.strides as [number, number];
    const dilations = c.attrs.dilations as [number, number];
    const x = xs[0] as T.Tensor4D;
    // tfjs has no gradient for dilated convolutions: the kernel is dilated here instead (zeros
    // between its taps, differentiable), and the convolution runs undilated.
    const kernel = dilations[0] > 1 || dilations[1] > 1 ? dilate(w[0] as T.Tensor4D, dilations) : (w[0] as T.Tensor4D);
    const inputs = groups === 1 ? [x] : tf.split<T.Tensor4D>(x, groups, 3);
    const kernels = groups === 1 ? [kernel] : tf.split<T.Tensor4D>(kernel, groups, 3);
    const parts = inputs.map((xi, g) => tf.conv2d(xi, kernels[g], strides, 'valid', 'NHWC'));
    const y = parts.length === 1 ? parts[0] : tf.concat(parts, 3);
    return w[1] ? tf.add(y, w[1]) : y;
  },
} satisfies Record<string, Fn>;

export type OnnxFn = keyof typeof FUNCTIONS;

/** [kh, kw, i, o] → [(kh−1)·dh+1, (kw−1)·dw+1, i, o] with zeros between the taps. */
function dilate(k: T.Tensor4D, [dh, dw]: [number, number]): T.Tensor4D {
  const [kh, kw, i, o] = k.shape;
  const spread = tf.pad(tf.reshape(k, [kh, 1, kw, 1, i, o]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const full = tf.reshape(spread, [kh * dh, kw * dw, i, o]);
  return tf.slice(full, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, i, o]) as T.Tensor4D;
}

export interface OnnxOpArgs extends LayerArgs {
  op: OnnxOpConfig;
  /** Grouped convolution's weights: kernel [kh, kw, in/groups, out], and the bias when it has one. */
  kernelShape?: number[] | null;
  useBias?: boolean;
}

export class OnnxOp extends tf.layers.Layer {
  static readonly className = 'SalunOnnxOp';
  readonly op: OnnxOpConfig;
  readonly kernelShape: number[] | null;
  readonly useBias: boolean;
  private kernel?: T.LayerVariable;
  private bias?: T.LayerVariable;

  constructor(args: OnnxOpArgs) {
    super(args);
    this.op = args.op;
    this.kernelShape = args.kernelShape ?? null;
    this.useBias = args.useBias ?? false;
  }

  override build(inputShape: T.Shape | T.Shape[]): void {
    if (this.kernelShape) {
      const fanIn = this.kernelShape[0] * this.kernelShape[1] * this.kernelShape[2];
      const bound = 1 / Math.sqrt(fanIn);
      this.kernel = this.addWeight('kernel', this.kernelShape, 'float32', tf.initializers.randomUniform({ minval: -bound, maxval: bound }));
      if (this.useBias) this.bias = this.addWeight('bias', [this.kernelShape[3]], 'float32', tf.initializers.randomUniform({ minval: -bound, maxval: bound }));
    }
    void inputShape;
    this.built = true;
  }

  override call(inputs: T.Tensor | T.Tensor[]): T.Tensor {
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    const weights = [this.kernel, this.bias].filter((w): w is T.LayerVariable => w !== undefined).map((w) => w.read());
    return tf.tidy(() => FUNCTIONS[this.op.fn](xs, this.op, weights));
  }

  override computeOutputShape(inputShape: T.Shape | T.Shape[]): T.Shape {
    const first = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as T.Shape;
    return [first[0], ...this.op.outShape];
  }

  override getConfig(): T.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      op: this.op as unknown as T.serialization.ConfigDict,
      kernelShape: this.kernelShape,
      useBias: this.useBias,
    };
  }
}

tf.serialization.registerClass(OnnxOp);

export function onnxOp(op: OnnxOpConfig, name: string, weights?: { kernelShape: number[]; useBias: boolean }): OnnxOp {
  return new OnnxOp({ op, name, ...(weights ?? {}) });
}
