// DDPM's linear variance schedule (Ho et al. 2020, §4): β_t rises linearly from β_1 = 1e-4 to
// β_T = 0.02 over T = 1000 steps, and ᾱ_t = Π_{s≤t} (1 − β_s), so that
//   x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε,   ε ~ N(0, I).
// t is 1-based as in the paper; index 0 holds β_0 = 0 and ᾱ_0 = 1 (the clean image), which the
// DDIM sampler's last step lands on. Kept in float64: ᾱ_T ≈ 4e-5 is a product of 1000 factors.

export interface NoiseSchedule {
  /** T: timesteps run 1..T. */
  steps: number;
  /** β_t at index t (index 0: 0). */
  betas: Float64Array;
  /** ᾱ_t at index t (index 0: 1). */
  alphaBar: Float64Array;
}

export const DDPM_SCHEDULE = { steps: 1000, betaStart: 1e-4, betaEnd: 0.02 } as const;

export function linearSchedule(
  steps: number = DDPM_SCHEDULE.steps,
  betaStart: number = DDPM_SCHEDULE.betaStart,
  betaEnd: number = DDPM_SCHEDULE.betaEnd,
): NoiseSchedule {
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`a schedule needs at least 2 steps, got ${steps}`);
  if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) throw new Error(`β must rise within (0, 1): got ${betaStart} → ${betaEnd}`);
  const betas = new Float64Array(steps + 1);
  const alphaBar = new Float64Array(steps + 1);
  alphaBar[0] = 1;
  for (let t = 1; t <= steps; t++) {
    betas[t] = betaStart + ((betaEnd - betaStart) * (t - 1)) / (steps - 1);
    alphaBar[t] = alphaBar[t - 1] * (1 - betas[t]);
  }
  return { steps, betas, alphaBar };
}
