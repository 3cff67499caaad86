// The browser test's bookkeeping: named cases run in order, each passes or fails on its own, and the
// run ends with the one line scripts/test.mjs counts (`webview: N passed, N failed`).

export interface Results {
  passed: number;
  failed: number;
  failures: string[];
}

export function newResults(): Results {
  return { passed: 0, failed: 0, failures: [] };
}

/** Runs one named case; a failure is reported with its message and does not stop the next case. */
export async function check(results: Results, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    results.passed++;
    console.log(`  ✓ ${name}`);
  } catch (e) {
    results.failed++;
    results.failures.push(name);
    const text = e instanceof Error ? e.message : String(e);
    console.log(`  ✗ ${name}\n      ${text.split('\n').join('\n      ')}`);
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

export function assertEqual<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function assertClose(actual: number, expected: number, what: string, tol = 1e-9): void {
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** '#rrggbb' as getComputedStyle writes it. */
export function rgb(hex: string): string {
  return `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
}

interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

function parseCss(css: string): Rgba {
  const m = /rgba?\(([^)]+)\)/.exec(css);
  if (!m) throw new Error(`not a computed colour: ${css}`);
  const [r, g, b, a = 1] = m[1].split(',').map(Number);
  return { r, g, b, a };
}

function luminance(c: Omit<Rgba, 'a'>): number {
  const [r, g, b] = [c.r, c.g, c.b].map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of a computed colour (alpha blended over `bg`) against `bg`. */
export function contrastRatio(fgCss: string, bgCss: string): number {
  const bg = parseCss(bgCss);
  const fg = parseCss(fgCss);
  const over = (c: 'r' | 'g' | 'b'): number => fg.a * fg[c] + (1 - fg.a) * bg[c];
  const l1 = luminance({ r: over('r'), g: over('g'), b: over('b') });
  const l2 = luminance(bg);
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns something truthy. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false | 0>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
