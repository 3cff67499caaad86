// Each method row of src/protocol/methods.ts joined to its implementation. `satisfies` makes a row
// without an implementation a compile error, not a run-time surprise, and types each
// implementation's options as its row declares them.
import { innerMethodOf, methodEpochs, resolvedOptions, type MethodName, type ResolvedOptionsOf } from '../../protocol/methods';
import { boundaryExpanding } from './boundaryExpanding';
import { boundaryShrink } from './boundaryShrink';
import { sgdEpochs, type Pass } from './epochs';
import { influenceUnlearning } from './influence';
import type { UnlearnInput } from './input';
import { LFSSD_IMPORTANCE, selectiveDampening, SSD_IMPORTANCE } from './ssd';
import { l1Sparse } from './l1Sparse';
import { negGradPlus } from './neggradPlus';
import { rum } from './rum';
import { sfron } from './sfron';
import { autoRecipe } from './salunAuto';
import { salunSoft } from './salunSoft';
import { scrub } from './scrub';

export type MethodImpls = { [M in MethodName]: (u: UnlearnInput, options: ResolvedOptionsOf<M>) => Promise<void> };

/** One epoch of RL (and SalUn, which is RL inside the mask): Df with random labels, then Dr (the authors' loop). */
const RL: Pass[] = [
  { set: 'forget', loss: 'random-label-ce' },
  { set: 'retain', loss: 'ce' },
];
const FT: Pass[] = [{ set: 'retain', loss: 'ce' }];

export const METHOD_IMPLS = {
  salun: (u) => sgdEpochs(u, { passes: RL }),
  // The automatic recipes draw their base method's shuffles and labels: a candidate at the base's own rate is the base, epoch by epoch.
  'salun-auto': async (u) => {
    await autoRecipe(u, { passes: RL, streamOf: 'salun', base: 'salun' });
  },
  rl: (u) => sgdEpochs(u, { passes: RL }),
  'rl-auto': async (u) => {
    await autoRecipe(u, { passes: RL, streamOf: 'rl', base: 'rl' });
  },
  ft: (u) => sgdEpochs(u, { passes: FT }),
  ga: (u) => sgdEpochs(u, { passes: [{ set: 'forget', loss: 'neg-ce' }] }),
  // ℓ1 and SalUn-soft draw FT's and RL's shuffles and labels: with α = 0 or λ = 0 they are those methods bit for bit.
  l1: (u, o) => l1Sparse(u, o, { passes: FT, streamOf: 'ft' }),
  bs: (u, o) => boundaryShrink(u, o),
  be: (u, o) => boundaryExpanding(u, o),
  iu: (u, o) => influenceUnlearning(u, o),
  'salun-soft': (u, o) => salunSoft(u, o, { passes: RL, streamOf: 'rl' }),
  scrub: (u, o) => scrub(u, o),
  // NegGrad+'s retain batches draw FT's shuffles: with alpha = 1 it is FT bit for bit.
  'neggrad-plus': (u, o) => negGradPlus(u, o, 'ft'),
  ssd: (u, o) => selectiveDampening(u, o, SSD_IMPORTANCE),
  lfssd: (u, o) => selectiveDampening(u, o, LFSSD_IMPORTANCE),
  sfron: (u, o) => sfron(u, o),
  rum: (u, o) => {
    const inner = innerMethodOf(u.method, u.options) ?? 'salun';
    return rum(u, o, inner, methodEpochs(inner, u.recipe), runMethod);
  },
} as const satisfies MethodImpls;

/** Applies u.method with its options (the table's defaults under the config's values). */
export function runMethod(u: UnlearnInput): Promise<void> {
  return run(u.method, u);
}

// TypeScript does not correlate METHOD_IMPLS[m] with resolvedOptions(m, …) over a union of names;
// for one name M they agree by MethodImpls' definition.
function run<M extends MethodName>(method: M, u: UnlearnInput): Promise<void> {
  const impl = METHOD_IMPLS[method] as MethodImpls[M];
  return impl(u, resolvedOptions(method, u.options));
}
