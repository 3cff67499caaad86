// What starting one backend yields: the row of src/protocol/backends.ts plus one file each
// (<name>/backend.ts), joined in registry.ts.
import type { GpuAdapterInfo } from '../../protocol/backends';

export type BackendAttempt = { ok: true; why: string; detail: string; adapter?: GpuAdapterInfo } | { ok: false; why: string };

/**
 * Who runs the engine, so a message names only what that user has: `vscode` for a job the extension
 * forked (its supervisor sets SALUN_CLIENT=vscode), `cli` for `salun` and scripts, which run from a
 * source checkout (the .vsix ships no CLI).
 */
export type EngineClient = 'vscode' | 'cli';

export function engineClient(env: NodeJS.ProcessEnv = process.env): EngineClient {
  return env.SALUN_CLIENT === 'vscode' ? 'vscode' : 'cli';
}

/** What to do when a backend the package always carries (wasm, cpu) cannot start. */
export function reinstallHint(client: EngineClient): string {
  return client === 'vscode' ? 'Reinstall the extension.' : 'Run npm ci in the checkout.';
}

export interface StartOptions {
  /** `auto` asks: a backend that only emulates its hardware (a software GPU) declines. */
  auto: boolean;
  /** A folder holding node_modules/@tensorflow/tfjs-node[-gpu] (the native backends). */
  nativeModulesDir?: string;
}

export interface BackendImpl {
  /** Initialises the backend, makes it tfjs's current one, and registers its own kernels. */
  start(options: StartOptions): Promise<BackendAttempt>;
  /** What to do when it cannot start and was asked for by name, told to this client's user. */
  hint(client: EngineClient): string;
}

export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
