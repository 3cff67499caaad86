// load_state_dict(strict=True)'s check, before any weight is copied: the keys and shapes a network
// expects against what a checkpoint holds, every problem in one error.
import { basename } from 'node:path';
import { UserError } from '../errors';
import type { StateDict } from './stateDict';

const SHOWN = 10;
const TRACKED = 'num_batches_tracked';

function listed(title: string, items: string[]): string {
  if (items.length === 0) return '';
  const more = items.length > SHOWN ? `, … (${items.length - SHOWN} more)` : '';
  return `\n  ${items.length} ${title}: ${items.slice(0, SHOWN).join(', ')}${more}`;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Throws one UserError listing the missing, unexpected and mis-shaped keys (the first ten of each,
 * with counts) unless `got` has exactly the keys and shapes of `expected`.
 *
 * BatchNorm's `num_batches_tracked` is tolerated either way: checkpoints from before PyTorch 0.4.1
 * lack it (load_state_dict fills it in too), and it only counts steps; the caller keeps its own value
 * for a missing one.
 */
export function matchStateDict(expected: Map<string, number[]>, got: StateDict, file: string): void {
  const tolerated = (k: string): boolean => k.endsWith(`.${TRACKED}`) || k === TRACKED;
  const missing = [...expected.keys()].filter((k) => !got.has(k) && !tolerated(k));
  const unexpected = [...got.keys()].filter((k) => !expected.has(k) && !tolerated(k));
  const misShaped: string[] = [];
  for (const [k, shape] of expected) {
    const t = got.get(k);
    if (t && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
      misShaped.push(`${k} (expected ${shapeText(shape)}, got ${shapeText(t.shape)})`);
    }
  }
  if (missing.length + unexpected.length + misShaped.length === 0) return;
  const message =
    `${basename(file)} does not fit the chosen architecture:` + listed('missing', missing) + listed('unexpected', unexpected) + listed('mis-shaped', misShaped);
  const hint =
    missing.length > 0 && misShaped.length === 0
      ? 'Pick the architecture the checkpoint was saved from: every key and shape must match, as load_state_dict(strict=True) requires.'
      : 'Pick the architecture the checkpoint was saved from, with its number of classes and input channels: every key and shape must match, as load_state_dict(strict=True) requires.';
  throw new UserError(message, hint, file);
}
