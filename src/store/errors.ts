// Errors the user can act on: what went wrong, what to do, and the input at fault.
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Thrown (and caught by the job runner) when an AbortSignal fires between batches. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}
