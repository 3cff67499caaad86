// Does memory stay flat over a long job? 20 epochs of training and 20 of SalUn (masked, with the
// per-epoch evaluation the pipeline runs) on the built-in CNN and real Fashion-MNIST, printing
// tf.memory().numTensors, tf's bytes and the process RSS after every epoch, then a verdict:
//   tensors  the count after every epoch equals the count after epoch 1 (any leak is ≥ 1 tensor)
//   RSS      the last 5 epochs' mean within 5 % of epochs 3–7's mean (the allocator settles first)
//
//   npm run -s build && node out/bench/memory.js [--backend wasm] [--epochs 20] [--train 2000] [--data DIR]
import { cpus } from 'node:os';
import { selectBackend } from '../src/engine/backend/select';
import { allIndices } from '../src/engine/data/dataset';
import { loadData } from '../src/engine/data/load';
import { balancedPrefix, subsetRows } from '../src/engine/data/subset';
import { predictPerSample } from '../src/engine/metrics/evaluate';
import { unlearn } from '../src/engine/methods/unlearn';
import { buildArchitecture } from '../src/engine/models/architectures';
import { classifierOf } from '../src/engine/models/io';
import { makeRng } from '../src/engine/rng';
import { buildMask, SaliencyIndex } from '../src/store/saliency/mask';
import { computeSaliencyScores } from '../src/engine/saliency/scores';
import { trainableVariables, trainPass } from '../src/engine/train/loop';
import { Sgd, weightMask } from '../src/engine/train/sgd';
import { DEFAULT_RATIO, DEFAULT_TRAIN, DEFAULT_UNLEARN } from '../src/protocol/defaults';
import type { BackendName } from '../src/protocol/config';
import { tf } from '../src/engine/tf';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

interface Sample {
  epoch: number;
  tensors: number;
  tfMb: number;
  rssMb: number;
  seconds: number;
}

const mb = (bytes: number): number => bytes / 2 ** 20;

function verdict(label: string, s: Sample[]): boolean {
  const tensorsFlat = s.every((x) => x.tensors === s[0].tensors);
  const mean = (xs: Sample[]): number => xs.reduce((a, x) => a + x.rssMb, 0) / xs.length;
  const early = mean(s.slice(2, 7));
  const late = mean(s.slice(-5));
  const drift = (late - early) / early;
  const rssFlat = Math.abs(drift) < 0.05;
  console.log(
    `${label}: tensors ${s[0].tensors} → ${s[s.length - 1].tensors} (${tensorsFlat ? 'flat' : 'GROWS'}); ` +
      `RSS epochs 3–7 ${early.toFixed(0)} MiB, last 5 ${late.toFixed(0)} MiB (${(100 * drift).toFixed(1)} %, ${rssFlat ? 'flat' : 'GROWS'})`,
  );
  return tensorsFlat && rssFlat;
}

function row(label: string, x: Sample): void {
  console.log(
    `${label} epoch ${String(x.epoch).padStart(2)}: ${String(x.tensors).padStart(4)} tensors, tf ${x.tfMb.toFixed(1).padStart(6)} MiB, RSS ${x.rssMb.toFixed(0).padStart(5)} MiB, ${x.seconds.toFixed(2)} s`,
  );
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm') as BackendName;
  const epochs = Number(arg('epochs', '20'));
  const trainN = Number(arg('train', '2000'));
  const info = await selectBackend(backend);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; node ${process.version}; backend ${info.name} (${info.detail})`);
  const data = loadData({ kind: 'idx', dir: arg('data', '/usr/share/datasets/fashion-mnist') }, process.cwd());
  const train = subsetRows(data.train, balancedPrefix(data.train.labels, data.train.numClasses, trainN), 'train subset');
  const test = subsetRows(data.test, balancedPrefix(data.test.labels, data.test.numClasses, 1000), 'test subset');
  const rows = allIndices(train.n);
  const forget = rows.subarray(0, Math.floor(train.n / 10));
  const retain = rows.subarray(forget.length);
  console.log(`data: ${train.n} train (forget ${forget.length}), ${test.n} test; CNN; ${epochs} epochs each\n`);
  const clf = classifierOf(buildArchitecture('cnn', { height: train.height, width: train.width, channels: train.channels, numClasses: train.numClasses }, 1));
  const vars = trainableVariables(clf);
  const evaluate = async (): Promise<void> => {
    await predictPerSample(clf, train, forget, undefined, 512);
    await predictPerSample(clf, test, allIndices(test.n), undefined, 512);
  };
  const sample = (epoch: number, t0: number): Sample => ({
    epoch,
    tensors: tf.memory().numTensors,
    tfMb: mb(tf.memory().numBytes),
    rssMb: mb(process.memoryUsage().rss),
    seconds: (performance.now() - t0) / 1000,
  });

  const trainSamples: Sample[] = [];
  const opt = new Sgd(vars, { lr: DEFAULT_TRAIN.lr, momentum: DEFAULT_TRAIN.momentum, weightDecay: DEFAULT_TRAIN.weightDecay });
  const rand = makeRng(7);
  for (let e = 1; e <= epochs; e++) {
    const t0 = performance.now();
    await trainPass({ clf, vars, optimizer: opt, set: train, indices: rows, batchSize: 128, loss: 'ce', rand, shuffle: true });
    await evaluate();
    trainSamples.push(sample(e, t0));
    row('train', trainSamples[trainSamples.length - 1]);
  }
  opt.dispose();

  const scores = await computeSaliencyScores(clf, train, forget, 128);
  const index = new SaliencyIndex(scores);
  const masks = buildMask(index, index.summaryForRatio(DEFAULT_RATIO));
  const { salient, anchor } = weightMask(vars, masks);
  const salunSamples: Sample[] = [];
  let t0 = performance.now();
  await unlearn({
    method: 'salun',
    clf,
    train,
    forget,
    retain,
    seed: 3,
    mask: { salient, anchor },
    recipe: { ...DEFAULT_UNLEARN, epochs },
    onEpoch: async (epoch) => {
      await evaluate();
      salunSamples.push(sample(epoch, t0));
      row('SalUn', salunSamples[salunSamples.length - 1]);
      t0 = performance.now();
    },
  });
  tf.dispose([...salient, ...anchor]);
  console.log('');
  const ok = [verdict('train (20 epochs + evaluation)', trainSamples), verdict('SalUn (masked, + evaluation)', salunSamples)].every(Boolean);
  console.log(ok ? 'memory: flat' : 'memory: NOT flat');
  process.exitCode = ok ? 0 : 1;
}

void main();
