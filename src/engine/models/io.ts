// Save and load standard tfjs LayersModels (model.json + weights.bin) on the file system without
// tfjs-node's file:// handler, which is absent on the wasm and cpu backends.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors';
import { replaceDirAtomic } from '../runs/atomic';
import { tf, type T } from '../tf';

export interface Classifier {
  model: T.LayersModel;
  /** True when the last layer applies softmax (common in user models); losses then use log(p). */
  outputsProbabilities: boolean;
}

export function classifierOf(model: T.LayersModel): Classifier {
  const last = model.layers[model.layers.length - 1];
  const activation = (last.getConfig() as { activation?: string }).activation;
  return { model, outputsProbabilities: activation === 'softmax' || last.getClassName() === 'Softmax' };
}

/** Writes model.json + weights.bin into `dir`, replacing it atomically. Never called on the user's own model folder. */
export async function saveModel(model: T.LayersModel, dir: string): Promise<void> {
  await replaceDirAtomic(dir, async (tmp) => {
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      const bytes = weightData instanceof ArrayBuffer ? new Uint8Array(weightData)
        : new Uint8Array(tf.io.concatenateArrayBuffers(weightData as ArrayBuffer[]));
      writeFileSync(join(tmp, 'weights.bin'), bytes);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: 'SalUn Lab',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(tmp, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
  });
}

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: Array<{ paths: string[]; weights: T.io.WeightsManifestEntry[] }>;
}

export async function loadModel(modelJsonPath: string): Promise<T.LayersModel> {
  const path = resolve(modelJsonPath);
  const bad = (why: string, hint = 'Give the path of a tfjs LayersModel model.json (as written by model.save or tensorflowjs_converter).'): never => {
    throw new UserError(`${path}: ${why}`, hint, path);
  };
  if (!existsSync(path)) bad('file not found');
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as ModelJson;
  } catch (e) {
    return bad(`not valid JSON (${(e as Error).message})`);
  }
  if (!json.modelTopology) bad('no modelTopology: this is not a LayersModel (graph models cannot be trained)');
  if (!Array.isArray(json.weightsManifest)) bad('no weightsManifest');
  const specs: T.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest!) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = join(dirname(path), p);
      if (!existsSync(file)) bad(`weights file ${p} listed in the manifest is missing`, 'Keep model.json and its weight files together in one folder.');
      buffers.push(readFileSync(file));
    }
  }
  const all = Buffer.concat(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : 1), 0);
  if (!specs.some((s) => s.quantization) && all.length !== expected) {
    bad(`weight files hold ${all.length} bytes but the manifest describes ${expected}`, 'The weights file is truncated or belongs to another model.');
  }
  try {
    const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs: specs, weightData: data }));
  } catch (e) {
    return bad(`tfjs could not build the model (${(e as Error).message})`);
  }
}

/** A new model with the same architecture and a copy of the weights (θo must survive unlearning). */
export async function cloneModel(model: T.LayersModel): Promise<T.LayersModel> {
  const copy = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as Parameters<typeof tf.models.modelFromJSON>[0]['modelTopology'] });
  copy.setWeights(model.getWeights());
  return copy;
}
