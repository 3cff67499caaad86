// Small runtime checks used at every boundary where data arrives untyped (IPC, postMessage, JSON).

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export function isString(x: unknown): x is string {
  return typeof x === 'string';
}

export function isOneOf<T extends string>(x: unknown, values: readonly T[]): x is T {
  return typeof x === 'string' && (values as readonly string[]).includes(x);
}
