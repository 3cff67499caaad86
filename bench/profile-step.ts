// Where one CNN training step's time goes on a tfjs backend: per-kernel wall time summed over a few
// steps (tf.profile), plus the step's total. A diagnostic for kernel work, not a benchmark.
//
//   node out/bench/profile-step.js [--backend wasm] [--steps 5] [--batch 128] [--ab-batchnorm]
// --ab-batchnorm: no profile; the step timed alternately with the fused wasm batch norm on and off.
import { selectBackend } from '../src/engine/backend/select';
import { setFusedBatchNorm } from '../src/engine/backend/wasm/batchNorm';
import type { BackendName } from '../src/protocol/config';
import { buildArchitecture } from '../src/engine/models/architectures';
import { crossEntropy, logProbs } from '../src/engine/models/forward';
import { classifierOf } from '../src/engine/models/io';
import { trainableVariables } from '../src/engine/train/loop';
import { Sgd } from '../src/engine/train/sgd';
import { tf } from '../src/engine/tf';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm') as BackendName;
  const steps = Number(arg('steps', '5'));
  const batch = Number(arg('batch', '128'));
  const chosen = await selectBackend(backend);
  const model = buildArchitecture('cnn', { height: 28, width: 28, channels: 1, numClasses: 10 }, 1);
  const clf = classifierOf(model);
  const vars = trainableVariables(clf);
  const names = vars.map((v) => v.name);
  const sgd = new Sgd(vars, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const x = new Float32Array(batch * 784).map(() => Math.random());
  const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const step = async (): Promise<void> => {
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => crossEntropy(logProbs(clf, tf.tensor(x, [batch, 28, 28, 1]), true), tf.tensor1d(y, 'int32'))),
      vars,
    );
    await value.data();
    value.dispose();
    sgd.step(names.map((n) => grads[n]));
    Object.values(grads).forEach((g) => g.dispose());
  };
  for (let i = 0; i < 3; i++) await step();
  if (process.argv.includes('--ab-batchnorm')) {
    const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let round = 0; round < 6; round++) {
      for (const mode of ['off', 'on'] as const) {
        setFusedBatchNorm(mode === 'on');
        await step();
        const t = performance.now();
        for (let i = 0; i < steps; i++) await step();
        times[mode].push((performance.now() - t) / steps);
      }
    }
    const med = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
    console.log(
      `backend ${chosen.name}; ms per step, 6 interleaved rounds of ${steps} steps: fused batch norm off ${med(times.off).toFixed(1)} (min ${Math.min(...times.off).toFixed(1)}), on ${med(times.on).toFixed(1)} (min ${Math.min(...times.on).toFixed(1)})`,
    );
    return;
  }
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const plain = (performance.now() - t0) / steps;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  const prof = await tf.profile(async () => {
    for (let i = 0; i < steps; i++) await step();
  });
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    byKernel.set(k.name, e);
  }
  const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, e]) => s + e.ms, 0) / steps;
  console.log(`backend ${chosen.name}; step ${plain.toFixed(1)} ms (unprofiled, mean of ${steps}); kernels sum ${total.toFixed(1)} ms/step`);
  for (const [name, e] of rows.slice(0, 25))
    console.log(`${name.padEnd(28)} ${(e.ms / steps).toFixed(2).padStart(8)} ms/step  ${String(e.calls / steps).padStart(4)} calls/step`);
}

void main();
