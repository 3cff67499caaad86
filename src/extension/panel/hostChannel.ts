// The host's end of a webview's typed channel (src/protocol/ipc.ts): validates what the webview sends
// and routes it to the handler registered for its kind, answers requests, and posts notifications
// only when the webview can take them. VS Code drops postMessage to a webview that is hidden or has
// not loaded its script yet; the channel then notes that the webview is stale, and its owner sends a
// full snapshot (`resync`) at the next chance. That snapshot is how GitLens's "keep the latest of each
// kind while hidden and replay it when visible" is done here: besides latest-wins state (runs,
// scores, a past run's trend) the panel is sent a job's event log, where every event counts, so the
// owner rebuilds the whole picture instead of buffering single messages.
// No vscode import: the port is an interface, so plain Node tests drive it.
import type { CommandType, MessageDefinition, MessageOf, NotificationType, ParamsOf, ReplyMessage, ReplyOf, RequestType } from '../../protocol/ipc';
import { isRequestId, MessageSet, messageOf, REPLY } from '../../protocol/ipc';
import { isRecord, isString } from '../../protocol/guards';

/** What the channel needs of a webview (vscode.Webview fits). */
export interface WebviewPort {
  postMessage(message: unknown): Thenable<boolean>;
}

export interface ChannelLog {
  debug(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Posted messages kept for a test hook; in normal use the channel keeps none. */
export interface PostedLog<T> {
  /** Messages handed to the webview since the channel was made, oldest first; see PostedMessages. */
  messages(): readonly (T | DroppedEntry)[];
}

/** Stands for a posted message the bounded log no longer holds, so positions stay absolute. */
export interface DroppedEntry {
  type: 'dropped';
}

const DROPPED: DroppedEntry = Object.freeze({ type: 'dropped' });

/**
 * The last `limit` posted messages. `messages()` keeps every message's position (index = how many
 * were posted before it), with a placeholder for those dropped, so a test can note `length` and
 * later read what came after; only the last `limit` are held in memory.
 */
export class PostedMessages<T> implements PostedLog<T> {
  private readonly kept: T[] = [];
  private dropped = 0;

  constructor(readonly limit: number) {}

  push(message: T): void {
    if (this.limit <= 0) return;
    this.kept.push(message);
    const over = this.kept.length - this.limit;
    if (over > 0) {
      this.kept.splice(0, over);
      this.dropped += over;
    }
  }

  get total(): number {
    return this.dropped + this.kept.length;
  }

  messages(): readonly (T | DroppedEntry)[] {
    if (this.dropped === 0) return [...this.kept];
    return [...Array.from({ length: this.dropped }, () => DROPPED), ...this.kept];
  }
}

type Handler = (message: never) => unknown;

type DefinitionNamed<D extends MessageDefinition, K> = Extract<D, { readonly method: K }>;

/** What a handler of `D` returns: for a request its reply (or a promise of it), for a command nothing. */
export type HandlerResult<D> = D extends RequestType ? ReplyOf<D> | Promise<ReplyOf<D>> : void | Promise<void>;

/** The handler of the kind named `K` among `In`: the whole message (params flat beside `type`) and the owner's context. */
export type TableHandler<In extends MessageDefinition, K extends In['method'], C> = (
  message: MessageOf<DefinitionNamed<In, K>>,
  context: C,
) => HandlerResult<DefinitionNamed<In, K>>;

/**
 * One handler for every kind `In` defines, keyed by its name. A table written `satisfies
 * HandlerTable<…>` fails to compile when a kind has no handler or a handler names no kind.
 */
export type HandlerTable<In extends MessageDefinition, C> = { [K in In['method']]: TableHandler<In, K, C> };

export interface HostChannelOptions {
  /** How many posted messages to keep for a test hook (0: none). */
  messageLog?: number;
  /** Names the webview in log lines. */
  name?: string;
}

/**
 * `In`: the kinds the webview may send (commands and requests); `Out`: the notifications the host
 * posts. Handlers receive the whole message (params flat beside `type`).
 */
export class HostChannel<In extends CommandType | RequestType, Out extends NotificationType> {
  private readonly accepts: MessageSet<In>;
  private readonly handlers = new Map<string, Handler>();
  private port: WebviewPort | undefined;
  private canDeliver: () => boolean = () => false;
  private ready = false;
  private stale = true;
  private readonly posted: PostedMessages<MessageOf<Out> | ReplyMessage>;
  private readonly name: string;

  constructor(
    accepts: readonly In[],
    private readonly log: ChannelLog,
    options: HostChannelOptions = {},
  ) {
    this.accepts = new MessageSet(accepts);
    this.posted = new PostedMessages(options.messageLog ?? 0);
    this.name = options.name ?? 'webview';
  }

  onCommand<D extends In & CommandType>(def: D, handler: (message: MessageOf<D>) => void | Promise<void>): void {
    this.register(def, handler);
  }

  onRequest<D extends In & RequestType>(def: D, handler: (message: MessageOf<D>) => ReplyOf<D> | Promise<ReplyOf<D>>): void {
    this.register(def, handler);
  }

  /**
   * Registers `table`'s handler for every kind the channel accepts, each called with `context`.
   * The compiler checks the table against the kinds; this checks it again for a table built at run
   * time, so a kind without a handler fails here, at registration, not when the webview sends it.
   */
  handleAll<C>(table: HandlerTable<In, C>, context: C): void {
    const handlers = table as Readonly<Record<string, ((message: never, context: C) => unknown) | undefined>>;
    const names = new Set(this.accepts.definitions.map((d) => d.method));
    const extra = Object.keys(handlers).filter((name) => !names.has(name));
    if (extra.length > 0) throw new Error(`${this.name}: handlers for kinds it does not accept: ${extra.join(', ')}`);
    const missing = [...names].filter((name) => typeof handlers[name] !== 'function');
    if (missing.length > 0) throw new Error(`${this.name}: no handler for ${missing.join(', ')}`);
    for (const def of this.accepts.definitions) {
      const handler = handlers[def.method];
      if (handler) this.register(def, (message: never) => handler(message, context));
    }
  }

  /** A new webview document: nothing is delivered until it says it is ready. */
  connect(port: WebviewPort, canDeliver: () => boolean): void {
    this.port = port;
    this.canDeliver = canDeliver;
    this.ready = false;
    this.stale = true;
  }

  disconnect(port: WebviewPort): void {
    if (this.port !== port) return;
    this.port = undefined;
    this.ready = false;
  }

  /** The webview's script listens (its ready command arrived). */
  markReady(): void {
    this.ready = true;
  }

  /** Something was not delivered since the last snapshot. */
  get needsResync(): boolean {
    return this.stale;
  }

  get deliverable(): boolean {
    return this.port !== undefined && this.ready && this.canDeliver();
  }

  /** Sends a full snapshot through `send` when the webview can take it; otherwise stays stale. */
  resync(send: () => void): void {
    if (!this.deliverable) {
      this.stale = true;
      return;
    }
    this.stale = false;
    send();
  }

  /** Posts a notification; false when the webview cannot take it now (it is then stale). */
  notify<D extends Out>(def: D, params: ParamsOf<D>, onDelivered?: () => void): boolean {
    return this.post(messageOf(def, params), onDelivered);
  }

  /** Every message the webview was handed (test runs only; see HostChannelOptions.messageLog). */
  messages(): readonly (MessageOf<Out> | ReplyMessage | DroppedEntry)[] {
    return this.posted.messages();
  }

  /** Entry point for webview.onDidReceiveMessage. */
  receive(message: unknown): void {
    const def = this.accepts.match(message);
    if (!def) {
      this.log.warn(`${this.name}: ignored a malformed message from the webview (${rejection(this.accepts, message)}): ${excerpt(message)}`);
      return;
    }
    const handler = this.handlers.get(def.method);
    if (!handler) {
      this.unhandled(def, message);
      return;
    }
    const typed = message as never;
    if (def.kind === 'request') {
      const requestId = (message as { requestId: number }).requestId;
      void this.answer(def, requestId, () => handler(typed));
      return;
    }
    void Promise.resolve()
      .then(() => handler(typed))
      .catch((err: unknown) => {
        this.log.error(`${this.name}: ${def.method} failed: ${errorText(err)}`);
      });
  }

  /**
   * A valid message of a kind nobody registered: the owner's omission, not the webview's fault. An
   * owner may leave a command unhandled on purpose; a request is still answered, with an error, so
   * the webview stops waiting for its reply.
   */
  private unhandled(def: In, message: unknown): void {
    this.log.warn(`${this.name}: unhandled ${def.kind} '${def.method}' from the webview: no handler is registered for it`);
    if (def.kind === 'request') this.post({ type: REPLY, requestId: (message as { requestId: number }).requestId, error: `no handler for ${def.method}` });
  }

  private async answer(def: RequestType, requestId: number, run: () => unknown): Promise<void> {
    let reply: ReplyMessage;
    try {
      const value = await run();
      // The webview checks replies too; checking here names the host as the one at fault.
      if (!def.isReply(value)) throw new Error(`the reply to ${def.method} does not match its definition`);
      reply = { type: REPLY, requestId, reply: value };
    } catch (err) {
      this.log.debug(`${this.name}: ${def.method} #${requestId} failed: ${errorText(err)}`);
      reply = { type: REPLY, requestId, error: errorText(err) };
    }
    this.post(reply);
  }

  private register(def: MessageDefinition, handler: Handler): void {
    if (this.handlers.has(def.method)) throw new Error(`${this.name}: a second handler for ${def.method}`);
    this.handlers.set(def.method, handler);
  }

  private post(message: MessageOf<Out> | ReplyMessage, onDelivered?: () => void): boolean {
    const port = this.port;
    if (!port || !this.deliverable) {
      this.stale = true;
      return false;
    }
    port.postMessage(message).then(
      (delivered) => {
        if (delivered) {
          this.posted.push(message);
          onDelivered?.();
        } else {
          this.stale = true;
          this.log.debug(`${this.name}: webview dropped a '${(message as { type: string }).type}' message; will resync when visible`);
        }
      },
      (err: unknown) => {
        this.stale = true;
        this.log.warn(`${this.name}: postMessage failed: ${errorText(err)}`);
      },
    );
    return true;
  }
}

/** Why `x` is no valid message of `accepts`, in words for the log: what its type is and what failed. */
function rejection(accepts: MessageSet<MessageDefinition>, x: unknown): string {
  if (!isRecord(x)) return `not an object but ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`;
  if (!isString(x.type)) return 'no string type';
  const def = accepts.definitions.find((d) => d.method === x.type);
  if (!def) return `unknown type '${x.type}'`;
  if (def.kind === 'request' && !isRequestId(x.requestId)) return `'${def.method}' is a request and needs a requestId`;
  if (def.kind !== 'request' && x.requestId !== undefined) return `'${def.method}' is a ${def.kind} and takes no requestId`;
  return `'${def.method}': its params do not pass the ${def.kind}'s guard`;
}

function excerpt(message: unknown): string {
  return String(JSON.stringify(message)).slice(0, 300);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
