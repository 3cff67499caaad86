// Cross-checks our MIA-Efficacy (pure TypeScript LIBSVM-style SVM) against scikit-learn's SVC, the
// implementation the SalUn authors used, on synthetic confidence sets shaped like real ones.
//
//   node scripts/build.mjs && node out/bench/mia-crosscheck.js [--quick]
//
// --quick skips the n = 20,000 cases. PYTHON overrides the interpreter (default /usr/bin/python3,
// the one that sees Debian's python3-sklearn). Exits 1 if any efficacy differs by more than 1 point.
import { runPythonPeer } from './pythonPeer';
import { fitMiaAttack, MIA_NON_MEMBER } from '../src/engine/metrics/mia';
import { plainTable } from '../src/protocol/tableText';

const MAX_EFFICACY_DIFF = 1; // percentage points

interface Case {
  name: string;
  retain: Float32Array;
  test: Float32Array;
  forget: Float32Array;
}

interface SklearnResult {
  name: string;
  efficacy: number;
  pred: number[];
  decision: number[];
  n_iter: number;
  n_support: number;
  fit_s: number;
}

/** mulberry32 plus Box–Muller: reproducible data without dependencies. */
function makeRng(seed: number): { uniform: () => number; normal: (mean: number, sd: number) => number } {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (mean: number, sd: number): number => mean + sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

type Rng = ReturnType<typeof makeRng>;

/**
 * Confidences as a 10-class float32 softmax gives them: true logit `margin` above nine N(0, 1)
 * logits. Large margins saturate to exactly 1 and repeat, as on real trained models.
 */
function confidences(n: number, rng: Rng, margin: () => number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const m = margin();
    let denom = f(1);
    for (let k = 0; k < 9; k++) denom = f(denom + f(Math.exp(f(f(rng.normal(0, 1)) - f(m)))));
    out[i] = f(1 / denom);
  }
  return out;
}

/** Mixture: a share of misclassified samples (negative margin) among confident ones. */
function mixture(rng: Rng, wrongShare: number, mean: number, sd: number): () => number {
  return () => (rng.uniform() < wrongShare ? rng.normal(-1.5, 2) : rng.normal(mean, sd));
}

function buildCases(quick: boolean): Case[] {
  const cases: Case[] = [];
  const add = (
    name: string,
    seed: number,
    nTest: number,
    nForget: number,
    retainM: (r: Rng) => () => number,
    testM: (r: Rng) => () => number,
    forgetM: (r: Rng) => () => number,
  ): void => {
    const rng = makeRng(seed);
    cases.push({
      name,
      retain: confidences(nTest, rng, retainM(rng)),
      test: confidences(nTest, rng, testM(rng)),
      forget: confidences(nForget, rng, forgetM(rng)),
    });
  };
  const memorised = (r: Rng) => () => r.normal(13, 3);
  const heldOut = (r: Rng) => mixture(r, 0.1, 9, 4);
  for (const [n, suffix] of [
    [2000, 'n=4k'],
    [10_000, 'n=20k'],
  ] as const) {
    if (quick && n > 2000) continue;
    add(`original model (forget memorised) ${suffix}`, 1, n, n / 2, memorised, heldOut, memorised);
    add(`retrain-like (forget unseen) ${suffix}`, 2, n, n / 2, memorised, heldOut, heldOut);
    add(
      `weak attack (heavy overlap) ${suffix}`,
      3,
      n,
      n / 2,
      (r) => () => r.normal(7, 3),
      (r) => mixture(r, 0.15, 6.5, 3.5),
      (r) => () => r.normal(6.8, 3.2),
    );
  }
  add('partly unlearned n=4k', 4, 2000, 1000, memorised, heldOut, (r) => () => r.normal(10.5, 4));
  add(
    'saturated (many exact 1.0) n=4k',
    5,
    2000,
    1000,
    (r) => () => r.normal(20, 3),
    (r) => mixture(r, 0.05, 15, 5),
    (r) => mixture(r, 0.05, 17, 5),
  );
  add('small n=1k', 6, 500, 250, memorised, heldOut, (r) => () => r.normal(11, 4));
  return cases;
}

function isSklearnOutput(v: unknown): v is { sklearn: string; results: SklearnResult[] } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { sklearn?: unknown; results?: unknown };
  return (
    typeof o.sklearn === 'string' &&
    Array.isArray(o.results) &&
    o.results.every(
      (r: unknown) =>
        typeof r === 'object' &&
        r !== null &&
        typeof (r as SklearnResult).efficacy === 'number' &&
        Array.isArray((r as SklearnResult).pred) &&
        Array.isArray((r as SklearnResult).decision),
    )
  );
}

function runSklearn(cases: Case[]): { version: string; results: SklearnResult[] } {
  const input = { cases: cases.map((c) => ({ name: c.name, retain: Array.from(c.retain), test: Array.from(c.test), forget: Array.from(c.forget) })) };
  const parsed = runPythonPeer('mia-crosscheck.py', input, isSklearnOutput, 'scikit-learn');
  return { version: parsed.sklearn, results: parsed.results };
}

function main(): number {
  const quick = process.argv.includes('--quick');
  const cases = buildCases(quick);
  const ref = runSklearn(cases);
  console.log(`sklearn ${ref.version} SVC(C=3, gamma='auto', kernel='rbf') vs ours; node ${process.version}\n`);
  const header = ['case', 'n fit', 'eff ours', 'eff sklearn', '|Δeff|', 'pred agree', 'max|Δdec|', 'iter ours/skl', 'nSV ours/skl', 'fit s ours/skl', 'uniq'];
  const rows: string[][] = [];
  let worst = 0;
  let disagreeTotal = 0;
  let forgetTotal = 0;
  for (let k = 0; k < cases.length; k++) {
    const c = cases[k];
    const r = ref.results[k];
    const t0 = process.hrtime.bigint();
    const svm = fitMiaAttack(c.retain, c.test);
    const fitS = Number(process.hrtime.bigint() - t0) / 1e9;
    const dec = svm.decision(c.forget);
    const pred = svm.predict(c.forget);
    let nonMember = 0;
    let disagree = 0;
    let maxDecDiff = 0;
    for (let i = 0; i < pred.length; i++) {
      const oursNonMember = pred[i] === MIA_NON_MEMBER;
      if (oursNonMember) nonMember++;
      if (oursNonMember !== (r.pred[i] === 0)) disagree++;
      // sklearn flips the binary decision so that > 0 means its second class (member).
      maxDecDiff = Math.max(maxDecDiff, Math.abs(dec[i] + r.decision[i]));
    }
    const eff = (100 * nonMember) / c.forget.length;
    const diff = Math.abs(eff - r.efficacy);
    worst = Math.max(worst, diff);
    disagreeTotal += disagree;
    forgetTotal += c.forget.length;
    const uniq = new Set([...c.retain, ...c.test]).size;
    rows.push([
      c.name,
      String(c.retain.length + c.test.length),
      eff.toFixed(2),
      r.efficacy.toFixed(2),
      diff.toFixed(2),
      `${(100 * (1 - disagree / pred.length)).toFixed(2)}%`,
      maxDecDiff.toExponential(1),
      `${svm.iterations}${svm.converged ? '' : '(cap)'}/${r.n_iter}`,
      `${svm.supportCount}/${r.n_support}`,
      `${fitS.toFixed(2)}/${r.fit_s.toFixed(2)}`,
      String(uniq),
    ]);
  }
  console.log(plainTable([header, ...rows], undefined, { rule: false }));
  console.log(
    `\nmax |Δ efficacy| = ${worst.toFixed(3)} points (limit ${MAX_EFFICACY_DIFF}); ` +
      `prediction agreement ${(100 * (1 - disagreeTotal / forgetTotal)).toFixed(3)}% (${disagreeTotal} of ${forgetTotal} forget samples differ)`,
  );
  if (worst > MAX_EFFICACY_DIFF) {
    console.error(`FAIL: efficacy differs from sklearn by more than ${MAX_EFFICACY_DIFF} point`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
}
