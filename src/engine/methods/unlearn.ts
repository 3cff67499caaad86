// The unlearning methods behind one interface: θu (a copy of θo) is updated in place, one epoch at
// a time, with progress and cancel. Which code runs is the registry's (registry.ts), which options
// it gets the method table's (protocol/methods.ts). Any method runs masked when a mask is given
// ("saliency + X"): the optimizer masks its gradients and restores non-salient weights to θo
// exactly after every step.
import { resolvedOptions, type MethodName } from '../../protocol/methods';
import type { UnlearnInput } from './input';
import { METHOD_IMPLS, type MethodImpls } from './registry';

export type { UnlearnInput };

export async function unlearn(u: UnlearnInput): Promise<void> {
  return run(u.method, u);
}

// TypeScript does not correlate METHOD_IMPLS[m] with resolvedOptions(m, …) over a union of names;
// for one name M they agree by MethodImpls' definition.
function run<M extends MethodName>(method: M, u: UnlearnInput): Promise<void> {
  const impl = METHOD_IMPLS[method] as MethodImpls[M];
  return impl(u, resolvedOptions(method, u.options));
}
