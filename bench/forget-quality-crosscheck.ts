// Cross-checks the challenge's forgetting quality (src/engine/metrics/forgetQuality.ts) against an
// independent numpy port of metric.py (bench/forget_quality.py) on the same confidences: ε per
// forget example and F must agree.
//
//   node scripts/build.mjs && node out/bench/forget-quality-crosscheck.js
//
// PYTHON overrides the interpreter (default /usr/bin/python3, Debian's, which has numpy). Exits 1
// when an ε differs by more than 1e-6 or an F by more than 1e-9. The cases are synthetic
// logit-scaled confidences shaped like the real ones: per example a mean and a spread, N models.
import { runPythonPeer } from './pythonPeer';
import { forgetQuality } from '../src/engine/metrics/forgetQuality';
import { makeRng } from '../src/engine/rng';
import { plainTable } from '../src/protocol/tableText';

const MAX_EPSILON_DIFF = 1e-6;
const MAX_SCORE_DIFF = 1e-9;

interface Case {
  name: string;
  unlearned: Float64Array[];
  retrained: Float64Array[];
}

function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** N models × n examples: example i's confidence ~ mean(i) + sd(i)·z, or the constant mean(i) when sd is 0. */
function sample(models: number, n: number, seed: number, mean: (i: number) => number, sd: (i: number) => number): Float64Array[] {
  const z = normal(makeRng(seed));
  return Array.from({ length: models }, () => Float64Array.from({ length: n }, (_, i) => mean(i) + sd(i) * z()));
}

function buildCases(): Case[] {
  const means = (seed: number): ((i: number) => number) => {
    const r = makeRng(seed);
    const m = Float64Array.from({ length: 400 }, () => 2 + 6 * r());
    return (i) => m[i];
  };
  const base = means(1);
  const cases: Case[] = [];
  for (const models of [8, 32]) {
    const n = models === 8 ? 200 : 60;
    cases.push({ name: `retrain vs retrain, N=${models}`, unlearned: sample(models, n, 11, base, () => 1), retrained: sample(models, n, 12, base, () => 1) });
    cases.push({
      name: `shifted by 1 sd, N=${models}`,
      unlearned: sample(
        models,
        n,
        13,
        (i) => base(i) + 1,
        () => 1,
      ),
      retrained: sample(models, n, 14, base, () => 1),
    });
    cases.push({
      name: `shifted by 4 sd, N=${models}`,
      unlearned: sample(
        models,
        n,
        15,
        (i) => base(i) + 4,
        () => 1,
      ),
      retrained: sample(models, n, 16, base, () => 1),
    });
    cases.push({
      name: `original copies (no spread), N=${models}`,
      unlearned: sample(
        models,
        n,
        17,
        (i) => base(i) + 3,
        () => 0,
      ),
      retrained: sample(models, n, 18, base, () => 1),
    });
    cases.push({
      name: `narrower (sd 0.3 vs 1), N=${models}`,
      unlearned: sample(models, n, 19, base, () => 0.3),
      retrained: sample(models, n, 20, base, () => 1),
    });
  }
  return cases;
}

interface PortResult {
  name: string;
  epsilons: number[];
  score: number;
  limit: number;
}

function isPortOutput(v: unknown): v is PortResult[] {
  return (
    Array.isArray(v) &&
    v.every((r: unknown) => typeof r === 'object' && r !== null && Array.isArray((r as PortResult).epsilons) && typeof (r as PortResult).score === 'number')
  );
}

function runPort(cases: Case[]): PortResult[] {
  const input = {
    cases: cases.map((c) => ({ name: c.name, unlearned: c.unlearned.map((m) => Array.from(m)), retrained: c.retrained.map((m) => Array.from(m)) })),
  };
  return runPythonPeer('forget_quality.py', input, isPortOutput, 'numpy');
}

function main(): void {
  const cases = buildCases();
  const t0 = Date.now();
  const ours = cases.map((c) => forgetQuality(c.unlearned, c.retrained));
  const oursMs = Date.now() - t0;
  const port = runPort(cases);
  let bad = 0;
  const rows = cases.map((c, k) => {
    const p = port[k];
    const worst = Math.max(...Array.from(ours[k].epsilons, (e, i) => Math.abs(e - p.epsilons[i])));
    const scoreDiff = Math.abs(ours[k].score - p.score);
    const ok = worst <= MAX_EPSILON_DIFF && scoreDiff <= MAX_SCORE_DIFF && ours[k].epsilonLimit === p.limit;
    if (!ok) bad++;
    return [c.name, ours[k].score.toFixed(4), p.score.toFixed(4), worst.toExponential(1), String(ours[k].epsilonLimit), ok ? 'ok' : 'DIFFERS'];
  });
  console.log(plainTable([['case', 'F (ours)', 'F (numpy port)', 'max |Δε|', 'ε limit', ''], ...rows], undefined, { rule: false }));
  console.log(`\nours: ${oursMs} ms for ${cases.length} cases (Node ${process.version}); ${bad ? `${bad} case(s) differ` : 'every ε and F agree'}`);
  if (bad) process.exit(1);
}

main();
