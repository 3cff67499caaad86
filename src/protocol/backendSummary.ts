// How a job's backend is told to the user, as text, the same everywhere it shows: the panel, the
// status bar, the exported and written reports, the CLI. Pure data in, strings out, so the webview
// (which imports only src/protocol) and the host format it alike.
import { BACKENDS, type GpuAdapterInfo, type SkippedBackend } from './backends';
import type { BackendInfo } from './results';

/** "webgpu (SwiftShader driver 5.0.0 (google, swiftshader; software))": the name and the engine's one-line detail. */
export function backendTitle(b: BackendInfo): string {
  return `${b.name}${b.detail ? ` (${b.detail})` : ''}`;
}

/** "SwiftShader driver 5.0.0: vendor google, architecture swiftshader; a software adapter". */
export function adapterSummary(a: GpuAdapterInfo): string {
  const name = a.description || a.device || 'unnamed adapter';
  const facts = [
    a.vendor ? `vendor ${a.vendor}` : 'vendor not reported',
    a.architecture ? `architecture ${a.architecture}` : undefined,
    a.device && a.device !== name ? `device ${a.device}` : undefined,
  ].filter((f): f is string => f !== undefined);
  return `${name}: ${facts.join(', ')}${a.software ? '; a software adapter (a CPU emulating a GPU)' : ''}`;
}

/**
 * A native package that is simply not there (native.ts's notInstalledWhy; older run folders wrote the
 * same words followed by install hints): the usual case of `auto`, not a failure.
 */
export function isNotInstalled(s: SkippedBackend): boolean {
  return / is not installed( |$)/.test(s.why);
}

/** The engine's full reason, without the backend's name it may start with: for the log's debug lines. */
export function skippedWhy(s: SkippedBackend): string {
  return s.why.startsWith(`${s.name}: `) ? s.why.slice(s.name.length + 2) : s.why;
}

/**
 * Why `auto` passed a backend by, in the user's words: a package that is not installed reads "not
 * installed" (where it was looked for, and the raw error, stay in the log's debug lines and
 * config.json; how to install it is said once, in the reason).
 */
export function skippedSummary(s: SkippedBackend): string {
  return `${s.name} (${BACKENDS[s.name].label}): ${isNotInstalled(s) ? 'not installed' : skippedWhy(s)}`;
}

/**
 * How the backend was chosen: the engine's reason, except after `auto` skipped some, where the
 * reason only strings the skipped lines together (they are listed one by one instead).
 */
export function backendChoice(b: BackendInfo): string {
  const n = b.skipped?.length ?? 0;
  return n ? `auto, after ${n} skipped` : b.reason;
}

export interface BackendFacts {
  title: string;
  choice: string;
  /** webgpu: the GPU adapter. */
  adapter?: string;
  skipped: string[];
}

export function backendFacts(b: BackendInfo): BackendFacts {
  return {
    title: backendTitle(b),
    choice: backendChoice(b),
    ...(b.adapter ? { adapter: adapterSummary(b.adapter) } : {}),
    skipped: (b.skipped ?? []).map(skippedSummary),
  };
}

/** Plain lines for a terminal or a log: the title, how it was chosen, the adapter, each skipped one. */
export function backendLines(b: BackendInfo): string[] {
  const f = backendFacts(b);
  return [`backend: ${f.title}`, `  chosen: ${f.choice}`, ...(f.adapter ? [`  GPU adapter: ${f.adapter}`] : []), ...f.skipped.map((s) => `  skipped ${s}`)];
}

/** Markdown list items for a report: the backend and how it was chosen, the adapter, each skipped one. */
export function backendMarkdownItems(b: BackendInfo): string[] {
  const f = backendFacts(b);
  return [`- Backend: ${f.title}; ${f.choice}`, ...(f.adapter ? [`  - GPU adapter: ${f.adapter}`] : []), ...f.skipped.map((s) => `  - Skipped ${s}`)];
}
