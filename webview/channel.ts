// The webview's end of the typed channel (src/protocol/ipc.ts). Views ask through it:
// `command(Def, params)` when no answer is needed, `request(Def, params)` for a promise of the reply;
// main.ts subscribes to notifications with `onNotification(Def, handler)`. Whatever arrives is
// checked against its definition (a reply against the request it answers) and rejected with a
// console warning when it does not match. No DOM: the port and the log are passed in.
import type { CommandType, MessageOf, NotificationType, ParamsOf, ReplyOf, RequestType } from '../src/protocol/ipc';
import { isReplyMessage, MessageSet, messageOf, requestMessageOf } from '../src/protocol/ipc';

/** What the channel needs of acquireVsCodeApi(). */
export interface HostPort {
  postMessage(message: unknown): void;
}

/** What the views may ask of the host. */
export interface PanelChannel {
  command<D extends CommandType>(def: D, params: ParamsOf<D>): void;
  request<D extends RequestType>(def: D, params: ParamsOf<D>): Promise<ReplyOf<D>>;
}

/** A host that never answers must not leave a request (and what waits on it) pending forever. */
export const REQUEST_TIMEOUT_MS = 30_000;

interface Pending {
  def: RequestType;
  resolve(reply: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

type Handler = (message: never) => void;

export class WebviewChannel<N extends NotificationType> implements PanelChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly notifications: MessageSet<N>;
  private readonly handlers = new Map<string, Handler>();

  constructor(
    private readonly port: HostPort,
    notifications: readonly N[],
    private readonly warn: (message: string, data?: unknown) => void,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    this.notifications = new MessageSet(notifications);
  }

  command<D extends CommandType>(def: D, params: ParamsOf<D>): void {
    this.port.postMessage(messageOf(def, params));
  }

  request<D extends RequestType>(def: D, params: ParamsOf<D>): Promise<ReplyOf<D>> {
    const requestId = this.nextId++;
    return new Promise<ReplyOf<D>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`${def.method}: no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(requestId, { def, resolve: resolve, reject, timer });
      this.port.postMessage(requestMessageOf(def, requestId, params));
    });
  }

  /** One handler per kind; it receives the whole message (params flat beside `type`). */
  onNotification<D extends N>(def: D, handler: (message: MessageOf<D>) => void): void {
    if (this.handlers.has(def.method)) throw new Error(`a second handler for ${def.method}`);
    this.handlers.set(def.method, handler);
  }

  /** Entry point for the window's 'message' events. */
  receive(data: unknown): void {
    if (isReplyMessage(data)) {
      this.settle(data.requestId, data);
      return;
    }
    const def = this.notifications.match(data);
    const handler = def && this.handlers.get(def.method);
    if (!handler) {
      this.warn('SalUn panel: ignored an unexpected message', data);
      return;
    }
    handler(data as never);
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  private settle(requestId: number, data: { reply: unknown } | { error: string }): void {
    const p = this.pending.get(requestId);
    // An answer after its timeout, or to a request of an earlier document: nobody waits for it.
    if (!p) return;
    this.pending.delete(requestId);
    clearTimeout(p.timer);
    if ('error' in data) {
      p.reject(new Error(data.error));
    } else if (p.def.isReply(data.reply)) {
      p.resolve(data.reply);
    } else {
      this.warn('SalUn panel: ignored an unexpected message', data);
      p.reject(new Error(`${p.def.method}: a reply that does not match its definition`));
    }
  }
}
