// Each row of the model-source table (src/protocol/modelSources.ts) joined to how the engine loads
// the user's θo, builds Retrain's fresh initialisation, and writes the unlearned model out beside
// the tfjs folder: model.onnx (the user's own graph with the new weights, or an exported one) and
// model.safetensors (PyTorch names and layouts). Built-in θo is trained in prepare.ts; its row
// here only builds and writes. `satisfies` makes a row without its loader a compile error.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ArchitectureName, ModelSpec } from '../../protocol/config';
import type { ModelSourceName } from '../../protocol/modelSources';
import { readCheckpoint } from '../../store/checkpoints/checkpoint';
import { writeSafetensors } from '../../store/checkpoints/safetensors';
import { UserError } from '../../store/errors';
import { tf, type T } from '../tf';
import { buildArchitecture, type InputShape } from './architectures';
import { classifierOf, loadModel, type Classifier } from './io';
import { readOnnx } from './onnx/onnxFile';
import { importOnnx } from './onnx/importOnnx';
import { onnxStateDict, rewriteOnnx } from './onnx/rewriteOnnx';
import { exportOnnx } from './onnxExport';
import { loadTorchStateDict, torchStateDict, torchWeightNames } from './torchTwins';

type Spec<K extends ModelSourceName> = Extract<ModelSpec, { kind: K }>;

/** θo as loaded, with what it takes to write a trained copy back in the source's own formats. */
export interface LoadedModel {
  clf: Classifier;
  notes: string[];
  /** Every file θo was read from (absolute paths): what a run records the sha256 of. */
  files: string[];
  /** Writes model.onnx and model.safetensors for a trained copy into `dir`; returns what it could not write and why. */
  write(model: T.LayersModel, dir: string): string[];
}

export interface ModelSourceLoader<S> {
  load?: (spec: S, workspaceDir: string, shape: InputShape, signal?: AbortSignal) => Promise<LoadedModel>;
  /** Retrain's starting point: the same network, freshly initialised (PyTorch's defaults where PyTorch's twin is known). */
  fresh: (spec: S, original: Classifier, shape: InputShape, seed: number) => T.LayersModel | Promise<T.LayersModel>;
}

/** The same topology; each layer's own initialisers draw again (the importer gave them PyTorch's). */
function sameTopology(original: Classifier): Promise<T.LayersModel> {
  return tf.models.modelFromJSON({ modelTopology: original.model.toJSON(null, false) as Parameters<typeof tf.models.modelFromJSON>[0]['modelTopology'] });
}

/** model.onnx and model.safetensors of a built-in network, through its PyTorch twin. */
export function writeTwin(architecture: ArchitectureName): LoadedModel['write'] {
  return (model, dir) => {
    writeFileSync(join(dir, 'model.onnx'), exportOnnx(model, { names: torchWeightNames(model, architecture) }));
    writeSafetensors(join(dir, 'model.safetensors'), torchStateDict(model, architecture), { format: 'pt', architecture });
    return [];
  };
}

export const MODEL_LOADERS = {
  builtin: {
    fresh: (spec, _o, shape, seed) => buildArchitecture(spec.architecture, shape, seed),
  },
  file: {
    load: async (spec, w, _shape, signal) => {
      const files: string[] = [];
      const clf = classifierOf(await loadModel(resolve(w, spec.path), signal, files));
      return {
        clf,
        notes: [],
        files,
        write: (model, dir) => {
          try {
            writeFileSync(join(dir, 'model.onnx'), exportOnnx(model));
          } catch (e) {
            return [`model.onnx not written: ${(e as Error).message}`];
          }
          return ['model.safetensors not written: a tfjs model has no PyTorch twin to name its weights'];
        },
      };
    },
    fresh: (_s, original) => sameTopology(original),
  },
  onnx: {
    load: async (spec, w, _shape, signal) => {
      const path = resolve(w, spec.path);
      const { graph, bytes } = await readOnnx(path, signal);
      const imp = importOnnx(graph);
      const dims = new Map([...graph.initializers].map(([k, v]) => [k, v.dims]));
      return {
        clf: classifierOf(imp.model),
        notes: imp.notes,
        files: [path, ...graph.externalFiles],
        write: (model, dir) => {
          writeFileSync(join(dir, 'model.onnx'), rewriteOnnx(bytes, path, model, imp.bindings));
          writeSafetensors(join(dir, 'model.safetensors'), onnxStateDict(model, imp.bindings, dims), { format: 'pt', source: 'onnx' });
          const unnamed = imp.bindings.filter((b) => b.initializer.startsWith('onnx::')).length;
          return unnamed > 0
            ? [`model.safetensors: ${unnamed} weights have the exporter's names (onnx::…), not your state_dict's; export with do_constant_folding=False`]
            : [];
        },
      };
    },
    fresh: (_s, original) => sameTopology(original),
  },
  pytorch: {
    load: async (spec, w, shape, signal) => {
      const path = resolve(w, spec.path);
      const notes: string[] = [];
      const dict = await readCheckpoint(path, signal, (n) => notes.push(n));
      const model = buildArchitecture(spec.architecture, shape, 0);
      const r = loadTorchStateDict(model, spec.architecture, dict);
      if (r.inputNormalization)
        throw new UserError(
          `${path}: the checkpoint normalises its inputs inside the network (normalize.mean ${JSON.stringify(r.inputNormalization.mean)}, std ${JSON.stringify(r.inputNormalization.std)}).`,
          `Give the same numbers as the data's "normalize": { "mean": [...], "std": [...] }; SalUn's ${spec.architecture} normalises outside the network.`,
          path,
        );
      return { clf: classifierOf(model), notes, files: [path], write: writeTwin(spec.architecture) };
    },
    fresh: (spec, _o, shape, seed) => buildArchitecture(spec.architecture, shape, seed),
  },
} as const satisfies { [K in ModelSourceName]: ModelSourceLoader<Spec<K>> };

export async function loadOwnModel(
  spec: Exclude<ModelSpec, { kind: 'builtin' }>,
  workspaceDir: string,
  shape: InputShape,
  signal?: AbortSignal,
): Promise<LoadedModel> {
  const row = MODEL_LOADERS[spec.kind] as ModelSourceLoader<typeof spec>;
  return row.load!(spec, workspaceDir, shape, signal);
}

export function freshModel(spec: ModelSpec, original: Classifier, shape: InputShape, seed: number): T.LayersModel | Promise<T.LayersModel> {
  return (MODEL_LOADERS[spec.kind] as ModelSourceLoader<typeof spec>).fresh(spec, original, shape, seed);
}
