// The one tfjs namespace the engine uses. It starts as the bundled @tensorflow/tfjs; when the
// native package (@tensorflow/tfjs-node[-gpu]) loads, it is swapped for the native namespace,
// because the native backend registers itself into ITS copy of tfjs-core, and a tensor made by
// one copy of tfjs-core cannot be used by another.
import * as bundled from '@tensorflow/tfjs';

export type Tf = typeof bundled;

// eslint-disable-next-line import/no-mutable-exports -- live binding is the point, see above
export let tf: Tf = bundled;

export function useTfNamespace(ns: Tf): void {
  tf = ns;
}

/** tfjs's types, for annotations (`T.Tensor`, `T.LayersModel`): `tf` above is a value binding. */
export type * as T from '@tensorflow/tfjs';
