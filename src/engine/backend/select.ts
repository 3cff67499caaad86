// Picks the backend a job runs on: the one named, or the first of the table's order that starts
// (`auto`). The choice, the adapter and why each earlier backend was skipped go with every run;
// a forced backend that cannot start is an error, never a silent fallback.
import { BACKEND_NAMES, BACKENDS, type BackendChoice, type BackendName, type SkippedBackend } from '../../protocol/backends';
import { isNotInstalled } from '../../protocol/backendSummary';
import type { BackendInfo } from '../../protocol/results';
import { tf } from '../tf';
import { engineClient, reinstallHint, type EngineClient } from './attempt';
import { coresHint } from './coresHint';
import { SHARED_KERNELS } from './kernels';
import { nativeInstallHint } from './native/backend';
import { registerKernels } from './registerKernels';
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
  /** Whose user reads the messages; default: env SALUN_CLIENT (engineClient). */
  client?: EngineClient;
  /** The job's data-parallel training workers (config `workers`), when it trains: the detail then says when cores stay idle. */
  trainingWorkers?: number;
  /** The machine's cores (default: os.availableParallelism()); for tests. */
  cores?: number;
}

/** The engine's detail, plus what training leaves of the cores (coresHint). */
function detailWithCores(name: BackendName, detail: string, options: SelectOptions, client: EngineClient): string {
  if (options.trainingWorkers === undefined) return detail;
  const hint = coresHint(name, options.trainingWorkers, client, options.cores);
  return hint ? `${detail}; ${hint}` : detail;
}

/**
 * auto's reason: every skipped backend once, the packages that are simply not installed in one
 * clause with one hint for this user (the hint once per package would repeat itself in the log and
 * config.json), the full per-package reasons staying in `skipped`.
 */
export function autoReason(skipped: readonly SkippedBackend[], chosen: BackendName, client: EngineClient): string {
  const missing = skipped.filter(isNotInstalled).map((s) => BACKENDS[s.name].label);
  const others = skipped.filter((s) => !isNotInstalled(s)).map((s) => s.why);
  const missingText = missing.length ? [`${missing.join(' and ')} not installed (to install: ${nativeInstallHint(client)})`] : [];
  return `auto: ${[...missingText, ...others, `using ${chosen}`].join('; ')}`;
}

/** Picks and initialises the backend. Resolves with what was chosen and why. */
export async function selectBackend(choice: BackendChoice, options: SelectOptions = {}): Promise<BackendInfo> {
  tf.env().set('PROD', true);
  const nativeModulesDir = options.nativeModulesDir ?? (process.env.SALUN_TFJS_NODE_DIR || undefined);
  const client = options.client ?? engineClient();
  if (choice !== 'auto') {
    const r = await BACKEND_IMPLS[choice].start({ auto: false, nativeModulesDir });
    if (!r.ok) throw new BackendError(`The forced backend '${choice}' is not available: ${r.why}.`, BACKEND_IMPLS[choice].hint(client));
    registerKernels(SHARED_KERNELS);
    const detail = detailWithCores(choice, r.detail, options, client);
    return { name: choice, reason: `forced by configuration; ${r.why}`, detail, ...(r.adapter ? { adapter: r.adapter } : {}) };
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of BACKEND_NAMES) {
    const r = await BACKEND_IMPLS[name].start({ auto: true, nativeModulesDir });
    if (r.ok) {
      registerKernels(SHARED_KERNELS);
      const reason = skipped.length ? autoReason(skipped, name, client) : `auto: ${r.why}`;
      return { name, reason, detail: detailWithCores(name, r.detail, options, client), skipped, ...(r.adapter ? { adapter: r.adapter } : {}) };
    }
    skipped.push({ name, why: r.why });
  }
  throw new BackendError(`No tfjs backend could start: ${skipped.map((s) => s.why).join('; ')}`, reinstallHint(client));
}
