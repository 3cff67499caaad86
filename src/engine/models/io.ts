// Save and load standard tfjs LayersModels (model.json + weights.bin) on the file system without
// tfjs-node's file:// handler, which is absent on the wasm and cpu backends.
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { throwIfAborted, UserError } from '../../store/errors';
import { replaceDirAtomic } from '../../store/runs/atomic';
import { tf, type T } from '../tf';
// Imported ONNX graphs use this layer class: registered before any model is loaded or cloned.
import './onnx/onnxLayer';

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

/** A model as the two files of a tfjs LayersModel folder: model.json and weights.bin. */
export interface ModelFiles {
  'model.json': string;
  'weights.bin': Uint8Array;
}

export async function modelFiles(model: T.LayersModel): Promise<ModelFiles> {
  let files: ModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      const weightData = artifacts.weightData;
      const bytes = weightData instanceof ArrayBuffer ? new Uint8Array(weightData) : new Uint8Array(tf.io.concatenateArrayBuffers(weightData as ArrayBuffer[]));
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: 'SalUn Lab',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      files = { 'model.json': JSON.stringify(modelJson), 'weights.bin': bytes };
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } });
    }),
  );
  if (!files) throw new Error('tfjs saved no model artifacts');
  return files;
}

/**
 * Writes model.json + weights.bin (and what `extra` adds: model.onnx, model.safetensors) into
 * `dir`, replacing it atomically. Never called on the user's own model folder.
 */
export async function saveModel(model: T.LayersModel, dir: string, extra?: (tmpDir: string) => void | Promise<void>): Promise<void> {
  const files = await modelFiles(model);
  await replaceDirAtomic(dir, async (tmp) => {
    writeFileSync(join(tmp, 'weights.bin'), files['weights.bin']);
    writeFileSync(join(tmp, 'model.json'), files['model.json']);
    await extra?.(tmp);
  });
}

/**
 * A manifest's weights path as a file inside the model's folder: a path from a model.json is data
 * from outside, and `../x`, an absolute path or a link out would read any file into the weights.
 */
function weightsFileInside(modelDir: string, p: unknown, bad: (why: string, hint?: string) => never): string {
  const hint = 'Keep model.json and its weight files together in one folder, with plain relative paths in weightsManifest.';
  if (typeof p !== 'string' || p.length === 0) bad(`weightsManifest lists ${JSON.stringify(p)}, which is not a file name`, hint);
  const path = p;
  if (isAbsolute(path)) bad(`weights path ${JSON.stringify(path)} is absolute; only paths inside the model folder are read`, hint);
  const within = (root: string, file: string): boolean => {
    const r = relative(root, file);
    return r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r);
  };
  const file = resolve(modelDir, path);
  if (!within(modelDir, file)) bad(`weights path ${JSON.stringify(path)} points outside the model folder ${modelDir}`, hint);
  if (!existsSync(file)) bad(`weights file ${path} listed in the manifest is missing`, 'Keep model.json and its weight files together in one folder.');
  // A link inside the folder may still lead out of it: compare the real paths too.
  if (!within(realpathSync(modelDir), realpathSync(file)))
    bad(`weights path ${JSON.stringify(path)} is a link to ${realpathSync(file)}, outside the model folder`, hint);
  if (!statSync(file).isFile()) bad(`weights path ${JSON.stringify(path)} is not a regular file`, hint);
  return file;
}

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: Array<{ paths: string[]; weights: T.io.WeightsManifestEntry[] }>;
}

/** Loads a LayersModel folder; `signal` stops it between weight files (they can be large). */
/** `read`, when given, receives every file the model was read from (model.json, then its weight files). */
export async function loadModel(modelJsonPath: string, signal?: AbortSignal, read?: string[]): Promise<T.LayersModel> {
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
  const files = [path];
  for (const group of json.weightsManifest!) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) bad('a weightsManifest group has no paths or weights list');
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = weightsFileInside(dirname(path), p, bad);
      files.push(file);
      try {
        buffers.push(await readFile(file, { signal }));
      } catch (e) {
        throwIfAborted(signal);
        bad(`cannot read weights file ${p} (${(e as Error).message})`);
      }
    }
  }
  const all = Buffer.concat(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : 1), 0);
  if (!specs.some((s) => s.quantization) && all.length !== expected) {
    bad(`weight files hold ${all.length} bytes but the manifest describes ${expected}`, 'The weights file is truncated or belongs to another model.');
  }
  read?.push(...files);
  try {
    const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
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
