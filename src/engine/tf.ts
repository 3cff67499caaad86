// The one tfjs namespace the engine uses: the bundled @tensorflow/tfjs. Every backend registers into
// it — wasm and webgpu are bundled with it, and the native tfjs-node[-gpu], which ships its own copy
// of tfjs, is handed this one while it loads (backend/native/backend.ts), since a tensor of one tfjs-core
// copy cannot be used by another.
import * as bundled from '@tensorflow/tfjs';

export type Tf = typeof bundled;

export const tf: Tf = bundled;

/** tfjs's types, for annotations (`T.Tensor`, `T.LayersModel`): `tf` above is a value binding. */
export type * as T from '@tensorflow/tfjs';
