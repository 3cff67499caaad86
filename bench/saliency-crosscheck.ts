// Cross-checks our weight saliency (computeSaliencyScores on the wasm backend, SaliencyIndex and
// buildMask) against PyTorch, the SalUn authors' framework, on the same weights and forget set.
//
//   node scripts/build.mjs && node out/bench/saliency-crosscheck.js
//
// The built-in CNN is built with a fixed seed and trained one epoch on part of the bundled data, so
// weights and batch-norm moving statistics are non-trivial (inference-mode BN is what saliency
// uses). Its weights, the forget images and labels go to a temp dir; bench/saliency-crosscheck.py
// rebuilds the network in torch layout (eval mode), sums the per-batch mean-CE gradients, takes abs
// and ranks globally as generate_mask.py does. PYTHON overrides the interpreter (default
// /usr/bin/python3, the one that sees Debian's python3-torch). Exits 1 on a mismatch.
//
// Pass criteria:
// - scores: every layer's max |ours − torch| ≤ 1e-3 × that layer's max torch score. Both sides
//   accumulate in float32 in different orders (XNNPACK/im2col vs oneDNN, per-batch sums); a conv1
//   kernel gradient element sums 128·14·14 ≈ 25k products per batch, and float32 rounding of such
//   sums is ~6e-8·√n ≈ 1e-5 of the sum of magnitudes (worst case n·u ≈ 1.5e-3), while the observed
//   error is ≈ 2e-6 of the layer max. A real defect gives errors of order 1: swapping the padding
//   side, BN in training mode, or an NHWC flatten on the torch side each fail every layer at
//   0.15…2 × the layer max (tried by mutating the .py).
// - masks at ratios 0.1/0.5/0.9: the same number of salient weights; every differing bit is either an
//   exact tie (the score equals γ exactly on both sides, typically γ = 0 when more than 1 − ratio of
//   the weights have zero saliency: which tied weights fill the last places is tie-breaking, ours in
//   weight order, torch.argsort's unstable and implementation-defined) or a near-tie,
//   |s − γ| ≤ 1e-3 × the max score of its layer (its own score tolerance); and ≥ 99.9% of the bits
//   agree once exact ties are set aside.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { selectBackend } from '../src/engine/backend/select';
import { gatherRows } from '../src/engine/data/dataset';
import { splitForget } from '../src/engine/data/forgetSet';
import { loadData } from '../src/engine/data/load';
import { buildArchitecture } from '../src/engine/models/architectures';
import { classifierOf } from '../src/engine/models/io';
import { makeRng, shuffleInPlace } from '../src/engine/rng';
import { buildMask, SaliencyIndex } from '../src/store/saliency/mask';
import { computeSaliencyScores } from '../src/engine/saliency/scores';
import { fit } from '../src/engine/train/fit';
import { plainTable } from '../src/protocol/tableText';

const SEED = 2024;
const TRAIN_SAMPLES = 3000;
const FORGET_SAMPLES = 1000;
const BATCH = 128;
const RATIOS = [0.1, 0.5, 0.9];
const SCORE_REL_TOL = 1e-3; // of the layer's max score
const MIN_AGREEMENT = 0.999;

interface TorchOut {
  torch: string;
  numpy: string;
  order: string[];
  timings: Record<string, number>;
  gammas: Record<string, { gamma: number; k: number }>;
  threads_max_abs_diff: number;
}

function isTorchOut(v: unknown): v is TorchOut {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Partial<TorchOut>;
  return typeof o.torch === 'string' && Array.isArray(o.order) && typeof o.timings === 'object' && typeof o.gammas === 'object';
}

const secs = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;

function table(header: string[], rows: string[][]): void {
  console.log(plainTable([header, ...rows], undefined, { rule: false }));
}

const f32bytes = (a: Float32Array | Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function main(): Promise<number> {
  const backend = await selectBackend('wasm');
  const data = loadData({ kind: 'default' }, '.');
  const train = data.train;
  const shape = { height: train.height, width: train.width, channels: train.channels, numClasses: train.numClasses };
  const clf = classifierOf(buildArchitecture('cnn', shape, SEED));

  // θo: one epoch on a seeded subset, so weights and BN moving statistics are far from their init.
  const order = shuffleInPlace(
    Int32Array.from({ length: train.n }, (_, i) => i),
    makeRng(SEED),
  );
  let t0 = process.hrtime.bigint();
  await fit({
    clf,
    set: train,
    indices: order.slice(0, TRAIN_SAMPLES),
    seed: SEED,
    recipe: { epochs: 1, lr: 0.05, schedule: 'constant', momentum: 0.9, weightDecay: 5e-4, batchSize: 64 },
  });
  const trainS = secs(t0);
  const { forget } = splitForget({ kind: 'random', fraction: FORGET_SAMPLES / train.n, seed: SEED }, train, SEED, '.');

  // Ours.
  t0 = process.hrtime.bigint();
  const ours = await computeSaliencyScores(clf, train, forget, BATCH);
  const oursScoresS = secs(t0);
  t0 = process.hrtime.bigint();
  const index = new SaliencyIndex(ours);
  const oursIndexS = secs(t0);
  const oursMasks = RATIOS.map((ratio) => {
    const t = process.hrtime.bigint();
    const summary = index.summaryForRatio(ratio);
    const mask = buildMask(index, summary);
    return { ratio, gamma: summary.gamma, k: summary.salientWeights, mask, s: secs(t) };
  });

  // Export weights (every weight, tfjs layout), forget images and labels.
  const dir = mkdtempSync(join(tmpdir(), 'saliency-crosscheck-'));
  try {
    const chunks: Float32Array[] = [];
    let offset = 0;
    const bnStats: string[] = [];
    const layers = clf.model.layers.map((layer) => ({
      name: layer.name,
      className: layer.getClassName(),
      config: layer.getConfig(),
      weights: layer.weights.map((w) => {
        const v = w.read().dataSync() as Float32Array;
        chunks.push(v);
        const entry = { name: w.name, shape: w.shape, offset };
        offset += v.length;
        if (/moving_(mean|variance)$/.test(w.name)) {
          let lo = Infinity,
            hi = -Infinity;
          for (const x of v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
          }
          bnStats.push(`${w.name} ∈ [${lo.toPrecision(3)}, ${hi.toPrecision(3)}]`);
        }
        return entry;
      }),
    }));
    const flat = new Float32Array(offset);
    let at = 0;
    for (const c of chunks) {
      flat.set(c, at);
      at += c.length;
    }
    writeFileSync(join(dir, 'weights.bin'), f32bytes(flat));
    const { x, y } = gatherRows(train, forget);
    writeFileSync(join(dir, 'forget-x.bin'), f32bytes(x));
    writeFileSync(join(dir, 'forget-y.bin'), f32bytes(y));
    writeFileSync(
      join(dir, 'in.json'),
      JSON.stringify({
        layers,
        input: [train.height, train.width, train.channels],
        n: forget.length,
        batchSize: BATCH,
        ratios: RATIOS,
      }),
    );

    const python = process.env.PYTHON ?? '/usr/bin/python3';
    const script = resolve(__dirname, '..', '..', 'bench', 'saliency-crosscheck.py');
    t0 = process.hrtime.bigint();
    const run = spawnSync(python, [script, dir], { stdio: 'inherit' });
    const pyWallS = secs(t0);
    if (run.error !== undefined || run.status !== 0) {
      throw new Error(`${python} ${script} failed (${run.error?.message ?? `exit ${run.status}`}); it needs python3-torch`);
    }
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    if (!isTorchOut(parsed)) throw new Error(`unexpected output from ${script}`);
    const ref = parsed;
    if (ref.order.join() !== ours.names.join()) throw new Error(`weight order differs: torch side ${ref.order.join()} vs ours ${ours.names.join()}`);
    const sizes = ours.scores.map((s) => s.length);
    const split = <A extends Float32Array | Uint8Array>(all: A): A[] => {
      let from = 0;
      return sizes.map((n) => {
        const part = all.subarray(from, from + n) as A;
        from += n;
        return part;
      });
    };
    const scoreBuf = readFileSync(join(dir, 'scores.bin'));
    const refScores = split(new Float32Array(scoreBuf.buffer.slice(scoreBuf.byteOffset, scoreBuf.byteOffset + scoreBuf.byteLength)));

    console.log(`backend ${backend.name} (${backend.detail}); torch ${ref.torch} CPU; node ${process.version}`);
    console.log(
      `built-in CNN seed ${SEED}, trained 1 epoch on ${TRAIN_SAMPLES} samples in ${trainS.toFixed(1)} s; ` +
        `forget set ${forget.length} of ${train.n} (seeded random), batch ${BATCH}, ${index.total} trainable weights`,
    );
    console.log(`BN moving stats: ${bnStats.join('; ')}\n`);

    // Scores, per layer.
    let fail = false;
    const tolOf: number[] = [];
    const rows: string[][] = [];
    let allAbs = 0,
      allMax = 0,
      allRelMax = 0,
      allElemRel = 0,
      allZeros = 0,
      allZeroMismatch = 0;
    for (let l = 0; l < sizes.length; l++) {
      const a = ours.scores[l],
        b = refScores[l];
      let maxAbs = 0,
        layerMax = 0,
        elemRel = 0,
        zeros = 0,
        zeroMismatch = 0;
      for (let j = 0; j < a.length; j++) layerMax = Math.max(layerMax, b[j]);
      for (let j = 0; j < a.length; j++) {
        if (a[j] === 0) zeros++;
        if ((a[j] === 0) !== (b[j] === 0)) zeroMismatch++;
        const d = Math.abs(a[j] - b[j]);
        maxAbs = Math.max(maxAbs, d);
        // Element-wise relative error, over scores not dominated by cancellation (≥ 1% of the layer max).
        if (b[j] >= 0.01 * layerMax) elemRel = Math.max(elemRel, d / b[j]);
      }
      const tol = SCORE_REL_TOL * layerMax;
      tolOf.push(tol);
      const ok = maxAbs <= tol && Number.isFinite(maxAbs);
      if (!ok) fail = true;
      allAbs = Math.max(allAbs, maxAbs);
      allMax = Math.max(allMax, layerMax);
      allRelMax = Math.max(allRelMax, maxAbs / layerMax);
      allElemRel = Math.max(allElemRel, elemRel);
      allZeros += zeros;
      allZeroMismatch += zeroMismatch;
      rows.push([
        ours.names[l],
        `[${ours.shapes[l].join(',')}]`,
        String(a.length),
        layerMax.toExponential(3),
        maxAbs.toExponential(2),
        (maxAbs / layerMax).toExponential(2),
        elemRel.toExponential(2),
        `${zeros}/${zeroMismatch}`,
        ok ? 'ok' : 'FAIL',
      ]);
    }
    rows.push([
      'all',
      '',
      String(index.total),
      allMax.toExponential(3),
      allAbs.toExponential(2),
      allRelMax.toExponential(2),
      allElemRel.toExponential(2),
      `${allZeros}/${allZeroMismatch}`,
      fail ? 'FAIL' : 'ok',
    ]);
    console.log('Scores |Σ_batches ∇ mean-CE| (ours vs torch; tolerance: max|Δ| ≤ 1e-3 × layer max)');
    table(['layer', 'shape', 'n', 'max score', 'max|Δ|', 'max|Δ|/max', 'max rel (≥1% max)', 'exact 0 / 0 on one side only', ''], rows);
    console.log(
      `${allZeros} weights (${((100 * allZeros) / index.total).toFixed(2)}%) have a saliency of exactly 0 (inputs that ReLU ` +
        'zeroes for every forget sample); where their share exceeds 1 − ratio, γ = 0 and the mask among them is pure tie-breaking.',
    );

    // Masks.
    const layerOf = new Int32Array(index.total);
    {
      let p = 0;
      sizes.forEach((n, l) => {
        layerOf.fill(l, p, p + n);
        p += n;
      });
    }
    const mrows: string[][] = [];
    const tieNotes: string[] = [];
    for (const m of oursMasks) {
      const mb = readFileSync(join(dir, `mask-${m.ratio}.bin`));
      const refMask = split(new Uint8Array(mb.buffer, mb.byteOffset, mb.byteLength));
      const refG = ref.gammas[String(m.ratio)];
      const perLayer: string[] = [];
      let differ = 0,
        exactTies = 0,
        nearTies = 0,
        worstDist = 0,
        worstDistRelTol = 0,
        p = 0,
        refK = 0;
      for (let l = 0; l < sizes.length; l++) {
        let oursL = 0,
          refL = 0;
        for (let j = 0; j < sizes[l]; j++) {
          oursL += m.mask[l][j];
          refL += refMask[l][j];
        }
        if (oursL !== refL) perLayer.push(`${ours.names[l]} ${oursL}/${refL}`);
        for (let j = 0; j < sizes[l]; j++, p++) {
          refK += refMask[l][j];
          if (m.mask[l][j] === refMask[l][j]) continue;
          differ++;
          // Both sides hold exactly γ: which of the tied weights fill the last salient places is
          // tie-breaking (ours: weight order; torch.argsort: unstable, implementation-defined).
          if (ours.scores[l][j] === m.gamma && refScores[l][j] === refG.gamma) {
            exactTies++;
            continue;
          }
          const dist = Math.abs(ours.scores[l][j] - m.gamma);
          worstDist = Math.max(worstDist, dist);
          worstDistRelTol = Math.max(worstDistRelTol, dist / tolOf[l]);
          if (dist <= tolOf[l]) nearTies++;
        }
      }
      const agreement = 1 - differ / index.total;
      const agreementUntied = 1 - (differ - exactTies) / index.total;
      const ok = agreementUntied >= MIN_AGREEMENT && nearTies + exactTies === differ && refK === m.k && refG.k === m.k;
      if (!ok) fail = true;
      if (perLayer.length) tieNotes.push(`ratio ${m.ratio}: salient per layer ours/torch where they differ: ${perLayer.join(', ')}`);
      mrows.push([
        String(m.ratio),
        String(m.k),
        m.gamma.toExponential(6),
        refG.gamma.toExponential(6),
        Math.abs(m.gamma - refG.gamma).toExponential(2),
        `${(100 * agreement).toFixed(4)}%`,
        `${(100 * agreementUntied).toFixed(4)}%`,
        String(differ),
        String(exactTies),
        String(nearTies),
        !nearTies ? '-' : m.gamma > 0 ? (worstDist / m.gamma).toExponential(2) : `${worstDist.toExponential(2)} (γ=0)`,
        nearTies ? worstDistRelTol.toExponential(2) : '-',
        `${(m.s * 1000).toFixed(1)}/${(ref.timings[`mask_s_${m.ratio}`] * 1000).toFixed(1)}`,
        ok ? 'ok' : 'FAIL',
      ]);
    }
    console.log('\nMasks (global top-ratio; torch: argsort(argsort(−scores)) < int(n·ratio))');
    table(
      [
        'ratio',
        'salient',
        'γ ours',
        'γ torch',
        '|Δγ|',
        'agree',
        'agree excl. exact ties',
        'differ',
        'exact ties at γ',
        'near-ties',
        'max|s−γ|/γ',
        'max|s−γ|/tol',
        'ms ours/torch',
        '',
      ],
      mrows,
    );
    console.log(
      'near-tie: |s − γ| ≤ tol of its layer (1e-3 × layer max); pass: agreement excluding exact ties ≥ 99.9%, every other ' +
        'difference a near-tie, same salient count',
    );
    for (const note of tieNotes) console.log(note);

    console.log(
      `\nTimes (s): ours scores ${oursScoresS.toFixed(2)} (wasm, ${backend.detail}), SaliencyIndex ${oursIndexS.toFixed(3)}; ` +
        `torch scores ${ref.timings.scores_s_threads1.toFixed(2)} (1 thread), ${ref.timings.scores_s_threads2.toFixed(2)} (2 threads); ` +
        `python process incl. import ${pyWallS.toFixed(1)}`,
    );
    console.log(`torch 1 vs 2 threads: max |Δscore| ${ref.threads_max_abs_diff.toExponential(2)}`);
    if (fail) {
      console.error('FAIL: saliency differs from PyTorch beyond the tolerances above');
      return 1;
    }
    console.log('PASS');
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  },
);
