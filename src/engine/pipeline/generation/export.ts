// Trains θo's DDPM for a generation config and writes it as a tfjs model folder with a meta.json
// (SHA-256 of the weights, steps, seconds, backend, final loss): how the demo's shipped weights
// are made (`salun gen-train`), so that `salun gen-demo` does not pay the training.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { GenerationConfig } from '../../../protocol/generationConfig';
import type { BackendInfo } from '../../../protocol/results';
import { allIndices } from '../../data/dataset';
import { parameterCount } from '../../generation/unet';
import { modelFiles } from '../../models/io';
import { loadGenerationData } from './data';
import { trainDdpm } from './model';
import type { JobContext } from '../shared/jobContext';

export interface ExportedDdpm {
  dir: string;
  sha256: string;
  bytes: number;
  weights: number;
  seconds: number;
  finalLoss: number;
}

export async function exportDdpm(config: GenerationConfig, outDir: string, ctx: JobContext, backend: BackendInfo): Promise<ExportedDdpm> {
  const { data, dataKey } = await loadGenerationData(config, ctx);
  const { model, seconds, losses } = await trainDdpm({ role: 'original', set: data.train, rows: allIndices(data.train.n), config, dataKey }, ctx, 'θo (DDPM)');
  try {
    const files = await modelFiles(model);
    const sha256 = createHash('sha256').update(files['weights.bin']).digest('hex');
    const tail = losses.slice(-Math.min(100, losses.length));
    const finalLoss = tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'model.json'), files['model.json']);
    writeFileSync(join(outDir, 'weights.bin'), files['weights.bin']);
    const meta = {
      sha256,
      bytes: files['weights.bin'].length,
      weights: parameterCount(model),
      seconds,
      finalLoss,
      backend: backend.name,
      images: `${data.train.n} × ${data.train.height}×${data.train.width}×${data.train.channels} (${basename(data.train.source.split(' ')[0])}, ${config.downsample}×${config.downsample} average-pooled)`,
      unet: config.unet,
      train: config.train,
      seed: config.seed,
      downsample: config.downsample,
      savedAt: new Date().toISOString(),
    };
    writeFileSync(join(outDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    return { dir: outDir, sha256, bytes: meta.bytes, weights: meta.weights, seconds, finalLoss };
  } finally {
    model.dispose();
  }
}
