// The names (and attributes) of the kernels the engine adds to tfjs, kept apart from the kernels as
// tfjs keeps its kernel_names.ts: a caller runs a kernel by name and must not load a backend's code
// for it (src/engine/train/sgd.ts runs the SGD step wherever one is registered), and one name can
// have a kernel on several backends (the SGD step on wasm and tensorflow).

/** One variable's whole SGD step (src/engine/train/sgd.ts has the formula): wasm and tensorflow. */
export const SGD_STEP_KERNEL = 'SalunSgdStep';

export interface SgdStepAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** Batch norm in training mode on wasm: y and the batch statistics; its gradient (wasm/batchNorm.ts). */
export const WASM_BN_FORWARD = 'SalunBatchNormTrain';
export const WASM_BN_BACKWARD = 'SalunBatchNormTrainGrad';

/** The same pair on tensorflow, as TensorFlow's fused ops (native/batchNorm.ts). */
export const NATIVE_BN_FORWARD = 'SalunNativeBatchNormTrain';
export const NATIVE_BN_BACKWARD = 'SalunNativeBatchNormTrainGrad';

/** ReLU's gradient as one TF op on tensorflow; native/kernels/Relu_grad.ts runs it where registered. */
export const RELU_GRAD_KERNEL = 'SalunReluGrad';
