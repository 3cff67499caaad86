// The unlearning methods behind one interface: θu (a copy of θo) is updated in place, one epoch at
// a time, with progress and cancel. Which code runs is the registry's (registry.ts), which options
// it gets the method table's (protocol/methods.ts). Any method runs masked when a mask is given
// ("saliency + X"): the optimizer masks its gradients and restores non-salient weights to θo
// exactly after every step.
import type { UnlearnInput } from './input';
import { runMethod } from './registry';

export type { UnlearnInput };

export async function unlearn(u: UnlearnInput): Promise<void> {
  return runMethod(u);
}
