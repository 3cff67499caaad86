// Picks the backend a job runs on: the one named, or the first of the table's order that starts
// (`auto`). The choice, the adapter and why each earlier backend was skipped go with every run;
// a forced backend that cannot start is an error, never a silent fallback.
import { BACKEND_NAMES, type BackendChoice } from '../../protocol/backends';
import type { BackendInfo } from '../../protocol/results';
import { tf } from '../tf';
import { registerBatchNormGradient } from './batchNormGradient';
import { BACKEND_IMPLS } from './registry';

export class BackendError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface SelectOptions {
  /** A folder holding node_modules/@tensorflow/tfjs-node[-gpu]; default: env SALUN_TFJS_NODE_DIR. */
  nativeModulesDir?: string;
}

/** Picks and initialises the backend. Resolves with what was chosen and why. */
export async function selectBackend(choice: BackendChoice, options: SelectOptions = {}): Promise<BackendInfo> {
  tf.env().set('PROD', true);
  const nativeModulesDir = options.nativeModulesDir ?? (process.env.SALUN_TFJS_NODE_DIR || undefined);
  if (choice !== 'auto') {
    const r = await BACKEND_IMPLS[choice].start({ auto: false, nativeModulesDir });
    if (!r.ok) throw new BackendError(`The forced backend '${choice}' is not available: ${r.why}.`, BACKEND_IMPLS[choice].hint);
    registerBatchNormGradient();
    return { name: choice, reason: `forced by configuration; ${r.why}`, detail: r.detail, ...(r.adapter ? { adapter: r.adapter } : {}) };
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of BACKEND_NAMES) {
    const r = await BACKEND_IMPLS[name].start({ auto: true, nativeModulesDir });
    if (r.ok) {
      registerBatchNormGradient();
      const reason = skipped.length ? `auto: ${skipped.map((s) => s.why).join('; ')}; using ${name}` : `auto: ${r.why}`;
      return { name, reason, detail: r.detail, skipped, ...(r.adapter ? { adapter: r.adapter } : {}) };
    }
    skipped.push({ name, why: r.why });
  }
  throw new BackendError(`No tfjs backend could start: ${skipped.map((s) => s.why).join('; ')}`, 'Reinstall the extension or run npm ci.');
}
