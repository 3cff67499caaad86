// One route from tfjs-layers' BatchNormalization.call in training mode to a backend's fused
// kernels. tfjs-layers runs moments → batchNorm and differentiates through every op of that chain;
// a backend with its own two kernels (wasmBatchNorm.ts, nativeBatchNorm.ts) does it in two calls.
// The prototype is patched once; each backend adds a route keyed by its forward kernel's name, and
// a call takes the route whose kernel the current backend has registered — else the layer's own
// code. The layer class and its saved form are untouched: a saved model stays a plain LayersModel.
import { tf, type T } from '../tf';

export interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: { read(): T.Tensor } | null;
  beta: { read(): T.Tensor } | null;
  movingMean: { read(): T.Tensor; write(t: T.Tensor): void };
  movingVariance: { read(): T.Tensor; write(t: T.Tensor): void };
}

export interface BatchNormRoute {
  /** The forward kernel: the route applies on a backend that has it registered. */
  kernel: string;
  /** y for x in training mode, updating the layer's moving statistics; called inside a tidy. */
  train(layer: BatchNormLayer, x: T.Tensor, gamma: T.Tensor, beta: T.Tensor): T.Tensor;
}

type Call = (this: BatchNormLayer, inputs: T.Tensor | T.Tensor[], kwargs: Record<string, unknown>) => T.Tensor;

const ROUTES = Symbol.for('salun.batchNormRoutes');

/** Adds (or replaces) the route for `route.kernel`; patches the layer on first use. */
export function routeBatchNorm(route: BatchNormRoute): void {
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({})) as { call: Call; [ROUTES]?: Map<string, BatchNormRoute> };
  if (!proto[ROUTES]) {
    const routes = new Map<string, BatchNormRoute>();
    const original = proto.call;
    proto.call = function (this: BatchNormLayer, inputs, kwargs) {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const axis = this.axis < 0 ? this.axis + x.shape.length : this.axis;
      const eligible =
        kwargs.training === true && x.dtype === 'float32' && x.shape.length >= 2 && axis === x.shape.length - 1 && this.gamma !== null && this.beta !== null;
      const backend = tf.getBackend();
      const chosen = eligible ? [...routes.values()].find((r) => tf.getKernel(r.kernel, backend) !== undefined) : undefined;
      if (!chosen) return original.call(this, inputs, kwargs);
      return tf.tidy(() => chosen.train(this, x, (this.gamma as { read(): T.Tensor }).read(), (this.beta as { read(): T.Tensor }).read()));
    };
    proto[ROUTES] = routes;
  }
  proto[ROUTES].set(route.kernel, route);
}
