// Standard normal draws from the engine's seeded generator (rng.ts), in JavaScript rather than
// tf.randomNormal: the same seed then gives the same noise on every backend, which is what makes
// two runs' sample grids and diffusion losses comparable.

/** n independent N(0, 1) values (Box–Muller; 1 − u keeps the log finite). */
export function gaussian(n: number, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const a = 2 * Math.PI * rand();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}
