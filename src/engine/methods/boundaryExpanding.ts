// Boundary expanding (Chen et al., CVPR 2023): the classifier head gets a shadow (C+1)-th unit,
// Df is trained toward the shadow class (its region in feature space is handed to a class no one
// predicts), and the shadow unit is dropped again, so the saved model keeps its C-class head.
// The widened model is a separate tfjs model; its weights are copied back into θu (without the
// shadow column) after every epoch, so per-epoch evaluation and the saved model see C classes.
import { UserError } from '../../store/errors';
import { classifierOf, type Classifier } from '../models/io';
import { subSeed } from '../rng';
import { tf, type T } from '../tf';
import { trainableVariables } from '../train/loop';
import { Sgd, type WeightMask } from '../train/sgd';
import { relabelled, runEpochs } from './epochs';
import type { UnlearnInput } from './input';

interface LayerJson {
  class_name?: string;
  name?: string;
  config?: { name?: string; units?: number; layers?: LayerJson[] };
}

/** The index of the last Dense layer, which must be the head: only weightless layers (softmax, activation) may follow. */
export function headLayerIndex(model: T.LayersModel): number {
  const layers = model.layers;
  for (let i = layers.length - 1; i >= 0; i--) {
    if (layers[i].getClassName() === 'Dense') return i;
    if (layers[i].weights.length) break;
  }
  throw new UserError(
    'Boundary expanding needs a model whose last weighted layer is a Dense classifier head.',
    'Use a model that ends in a Dense layer with one unit per class (optionally followed by a softmax).',
  );
}

function setUnits(node: unknown, name: string, units: number): boolean {
  if (Array.isArray(node)) return node.some((n) => setUnits(n, name, units));
  if (node === null || typeof node !== 'object') return false;
  const l = node as LayerJson;
  if (l.config && l.config.name === name && typeof l.config.units === 'number') {
    l.config.units = units;
    return true;
  }
  return Object.values(node).some((v) => setUnits(v, name, units));
}

/**
 * A copy of the model with one more output unit: the original C columns of the head's kernel and
 * bias bit for bit, the shadow column drawn from N(0, std²) (seeded), its bias 0.
 */
export async function withShadowClass(model: T.LayersModel, std: number, seed: number): Promise<T.LayersModel> {
  const head = headLayerIndex(model);
  const headLayer = model.layers[head];
  const units = (headLayer.getConfig() as { units: number }).units;
  const topology = model.toJSON(null, false) as unknown;
  if (!setUnits(topology, headLayer.name, units + 1)) throw new Error(`layer ${headLayer.name} not found in the model's topology`);
  const wide = await tf.models.modelFromJSON({ modelTopology: topology as Parameters<typeof tf.models.modelFromJSON>[0]['modelTopology'] });
  model.layers.forEach((layer, i) => {
    const ws = layer.getWeights();
    if (i !== head) {
      wide.layers[i].setWeights(ws);
      return;
    }
    const extended = tf.tidy(() =>
      ws.map((w) => (w.rank === 2 ? tf.concat([w, tf.randomNormal([w.shape[0], 1], 0, std, 'float32', seed)], 1) : tf.concat([w, tf.zeros([1])], 0))),
    );
    wide.layers[i].setWeights(extended);
    tf.dispose(extended);
  });
  return wide;
}

/** Copies the wide model's weights into the original, dropping the shadow unit's column and bias. */
export function copyWithoutShadow(wide: T.LayersModel, model: T.LayersModel): void {
  const head = headLayerIndex(model);
  model.layers.forEach((layer, i) => {
    const ws = wide.layers[i].getWeights();
    if (i !== head) {
      layer.setWeights(ws);
      return;
    }
    const narrowed = tf.tidy(() => ws.map((w) => (w.rank === 2 ? tf.slice(w, [0, 0], [w.shape[0], w.shape[1]! - 1]) : tf.slice(w, [0], [w.shape[0] - 1]))));
    layer.setWeights(narrowed);
    tf.dispose(narrowed);
  });
}

/** The mask for the wide model: the head's shadow column is always free (it is thrown away). */
function wideMask(mask: WeightMask, vars: T.Variable[]): WeightMask {
  return tf.tidy(() => {
    const salient: T.Tensor[] = [];
    const anchor: T.Tensor[] = [];
    vars.forEach((v, i) => {
      const s = mask.salient[i];
      if (s.shape.every((d, k) => d === v.shape[k])) {
        salient.push(tf.clone(s));
        anchor.push(tf.clone(mask.anchor[i]));
        return;
      }
      const axis = v.rank - 1;
      const extra = v.rank === 2 ? [v.shape[0], 1] : [1];
      salient.push(tf.concat([s, tf.ones(extra, 'bool')], axis));
      anchor.push(tf.concat([mask.anchor[i], tf.slice(v, v.rank === 2 ? [0, v.shape[1]! - 1] : [v.shape[0] - 1], extra)], axis));
    });
    return { salient, anchor };
  });
}

export async function boundaryExpanding(u: UnlearnInput, o: { shadowInitStd: number }): Promise<void> {
  const outShape = u.clf.model.outputs[0].shape;
  const numClasses = outShape[outShape.length - 1] ?? u.train.numClasses;
  const wide = await withShadowClass(u.clf.model, o.shadowInitStd, subSeed(u.seed, 'be-shadow') % 2147483647);
  const wideClf: Classifier = classifierOf(wide);
  const vars = trainableVariables(wideClf);
  const mask = u.mask ? wideMask(u.mask, vars) : undefined;
  const optimizer = new Sgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, mask);
  const shadow = new Int32Array(u.forget.length).fill(numClasses);
  try {
    await runEpochs(u, {
      clf: wideClf,
      vars,
      optimizer,
      train: relabelled(u.train, u.forget, shadow, numClasses + 1),
      passes: [{ set: 'forget', loss: 'ce' }],
      afterEpoch: () => copyWithoutShadow(wide, u.clf.model),
    });
  } finally {
    optimizer.dispose();
    if (mask) tf.dispose([...mask.salient, ...mask.anchor]);
    wide.dispose();
  }
}
