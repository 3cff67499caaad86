// Typed messages between the extension host and a webview, after GitLens's ipc model: every kind of
// message is one definition (its name, its params' type and runtime guard, and for a request the
// reply's type and guard) that both ends import, so a new request is its definition, a host handler
// and the view that asks. Three kinds:
//   command       webview → host, no reply
//   request       webview → host, exactly one reply (or an error)
//   notification  host → webview
// On the wire a message is `{ type: name, ...params }` (a request adds `requestId`): params stay flat
// beside `type`, so messages read the same in logs, recorded fixtures and tests as they did before
// the definitions existed. A reply is `{ type: 'reply', requestId, reply }` or `{ …, error }`; its
// body is checked against the guard of the request it answers, which only the asking end knows.
// No channel lives here: the two ends sit in layers that share only protocol/, so this file holds the
// definitions, the wire shapes and the checks; webview/channel.ts and extension/panel/hostChannel.ts talk.
import { isRecord, isString } from './guards';

export type Guard<T> = (x: unknown) => x is T;

/** Params travel flat beside `type` and `requestId`, so they may not use those keys. */
export type ParamsShape = object & { type?: never; requestId?: never };

/** A message kind without params. */
export type NoParams = Record<never, never>;

export const noParams: Guard<NoParams> = (x: unknown): x is NoParams => isRecord(x);

export interface CommandType<M extends string = string, P extends ParamsShape = ParamsShape> {
  readonly kind: 'command';
  readonly method: M;
  readonly isParams: Guard<P>;
}

export interface NotificationType<M extends string = string, P extends ParamsShape = ParamsShape> {
  readonly kind: 'notification';
  readonly method: M;
  readonly isParams: Guard<P>;
}

export interface RequestType<M extends string = string, P extends ParamsShape = ParamsShape, R = unknown> {
  readonly kind: 'request';
  readonly method: M;
  readonly isParams: Guard<P>;
  readonly isReply: Guard<R>;
}

export type MessageDefinition = CommandType | NotificationType | RequestType;

/** The wire name of replies; no definition may take it. */
export const REPLY = 'reply';

function checkedMethod<M extends string>(method: M): M {
  if (method === REPLY || method.length === 0) throw new Error(`ipc: '${method}' cannot name a message kind`);
  return method;
}

export function command<M extends string, P extends ParamsShape = NoParams>(method: M, isParams: Guard<P>): CommandType<M, P> {
  return { kind: 'command', method: checkedMethod(method), isParams };
}

export function notification<M extends string, P extends ParamsShape>(method: M, isParams: Guard<P>): NotificationType<M, P> {
  return { kind: 'notification', method: checkedMethod(method), isParams };
}

export function request<M extends string, P extends ParamsShape, R>(method: M, isParams: Guard<P>, isReply: Guard<R>): RequestType<M, P, R> {
  return { kind: 'request', method: checkedMethod(method), isParams, isReply };
}

export type ParamsOf<D> = D extends { readonly isParams: Guard<infer P> } ? P : never;
export type ReplyOf<D> = D extends RequestType<string, ParamsShape, infer R> ? R : never;

/** The wire shape of one kind: what a handler receives (params flat beside `type`). */
export type MessageOf<D> =
  D extends RequestType<infer M, infer P, unknown>
    ? { type: M; requestId: number } & P
    : D extends CommandType<infer M, infer P>
      ? { type: M } & P
      : D extends NotificationType<infer M, infer P>
        ? { type: M } & P
        : never;

export type ReplyMessage = { type: typeof REPLY; requestId: number; reply: unknown } | { type: typeof REPLY; requestId: number; error: string };

export function isRequestId(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

export function isReplyMessage(x: unknown): x is ReplyMessage {
  if (!isRecord(x) || x.type !== REPLY || !isRequestId(x.requestId)) return false;
  return 'reply' in x ? x.error === undefined : isString(x.error);
}

/** Builds a message of `def`; params are copied so that a caller's object never travels as is. */
export function messageOf<D extends CommandType | NotificationType>(def: D, params: ParamsOf<D>): MessageOf<D> {
  return { ...params, type: def.method };
}

export function requestMessageOf<D extends RequestType>(def: D, requestId: number, params: ParamsOf<D>): MessageOf<D> {
  return { ...params, type: def.method, requestId };
}

/**
 * The definitions one end accepts, indexed by name, with a guard for the union of their messages.
 * A message passes only when its name is known and its params pass that kind's guard.
 */
export class MessageSet<D extends MessageDefinition> {
  private readonly byMethod = new Map<string, D>();

  constructor(readonly definitions: readonly D[]) {
    for (const def of definitions) {
      if (this.byMethod.has(def.method)) throw new Error(`ipc: '${def.method}' is defined twice`);
      this.byMethod.set(def.method, def);
    }
  }

  /** The definition `x` is a valid message of, or undefined. */
  match(x: unknown): D | undefined {
    if (!isRecord(x) || !isString(x.type)) return undefined;
    const def = this.byMethod.get(x.type);
    if (!def) return undefined;
    if (def.kind === 'request' ? !isRequestId(x.requestId) : x.requestId !== undefined) return undefined;
    return def.isParams(x) ? def : undefined;
  }

  readonly is = (x: unknown): x is MessageOf<D> => this.match(x) !== undefined;
}

/** `x` is a valid message of exactly `def` (for a handler registered for that kind). */
export function isMessageOfKind<D extends MessageDefinition>(def: D, x: unknown): x is MessageOf<D> {
  return isRecord(x) && x.type === def.method && def.isParams(x) && (def.kind === 'request' ? isRequestId(x.requestId) : x.requestId === undefined);
}
