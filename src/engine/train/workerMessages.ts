// What the training pool (parallel.ts, main thread) and its worker threads (trainWorker.ts) say
// to each other. Bulk data never goes through messages: weights, the batch, gradients and batch-norm
// statistics live in SharedArrayBuffers that both sides view; messages only say what to do next.

import type { WorkerBackend } from '../../protocol/backends';

/** The backends a worker can run (their rows' `workers`): the ones that compute each operation on one thread. */
export type { WorkerBackend };

export interface WorkerData {
  backend: WorkerBackend;
}

/** Where one of the model's weights (model.weights[i]) sits in a shared float32 buffer. */
export interface WeightSlot {
  shape: number[];
  /** In floats, not bytes. */
  offset: number;
  size: number;
}

export interface ModelSetup {
  type: 'model';
  id: number;
  /** model.toJSON(null, false): the replica is built from it with the same layer configs. */
  topology: unknown;
  outputsProbabilities: boolean;
  slots: WeightSlot[];
  /** Indices into model.weights of the variables to differentiate, in the caller's order. */
  gradIndices: number[];
  /** Every weight, written by the main thread before each step; read-only for workers. */
  weights: SharedArrayBuffer;
  /**
   * This worker's answer, laid out like `weights`: the gradient at gradIndices, the weight's value
   * after the forward pass elsewhere (batch-norm moving statistics have moved; the rest has not).
   */
  out: SharedArrayBuffer;
  /** The whole batch's inputs, row-major, and its labels (already randomised for random-label CE). */
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
  /** One row's shape as the model takes it ([h, w, c], [h, w] or [h·w·c]). */
  rowShape: number[];
}

export interface ShardStep {
  type: 'step';
  id: number;
  /** The shard: rows [from, to) of the batch buffers. */
  from: number;
  to: number;
  /** Gradient ascent (GA): the loss is minus the cross-entropy. */
  negate: boolean;
}

export type ToWorker = ModelSetup | ShardStep;

export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'loaded'; id: number }
  /**
   * `loss`: the shard's mean loss; `tensors`: tf.memory().numTensors in the worker after the step;
   * `ms`: the step's time in the worker, from the message to the answer written.
   */
  | { type: 'done'; id: number; loss: number; tensors: number; ms: number }
  | { type: 'error'; id?: number; message: string; stack?: string };
