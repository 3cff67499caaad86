// Flow control for γ/ratio previews: a slider emits dozens of values a second, but the panel keeps
// at most one request in flight and, while it waits, remembers only the latest value. An answer
// that is not for the request in flight (late, after a timeout) is dropped. No DOM: PreviewRequests
// is the pure bookkeeping, ThresholdPreviews sends through the channel and hands accepted answers on.
import type { ThresholdBy, ThresholdPreview } from '../src/protocol/webviewMessages';
import { PreviewThresholdRequest } from '../src/protocol/webviewMessages';
import type { PanelChannel } from './channel';

export interface PreviewRequest {
  requestId: number;
  by: ThresholdBy;
  value: number;
}

/** A host that never answers must not freeze the control. */
export const PREVIEW_TIMEOUT_MS = 3000;

export class PreviewRequests {
  private nextId = 1;
  private inFlight: { request: PreviewRequest; sentAt: number } | undefined;
  private queued: { by: ThresholdBy; value: number } | undefined;

  constructor(private readonly timeoutMs = PREVIEW_TIMEOUT_MS) {}

  /** The request to post now, or undefined when it has to wait behind the one in flight. */
  want(by: ThresholdBy, value: number, now: number): PreviewRequest | undefined {
    if (this.inFlight && now - this.inFlight.sentAt < this.timeoutMs) {
      this.queued = { by, value };
      return undefined;
    }
    this.queued = undefined;
    return this.send(by, value, now);
  }

  /**
   * An answer arrived. `accept` says whether it is for the request in flight; `next` is the queued
   * request to post now that the way is free.
   */
  answered(requestId: number, now: number): { accept: boolean; next?: PreviewRequest } {
    if (!this.inFlight || this.inFlight.request.requestId !== requestId) return { accept: false };
    this.inFlight = undefined;
    const q = this.queued;
    this.queued = undefined;
    return q ? { accept: true, next: this.send(q.by, q.value, now) } : { accept: true };
  }

  get pending(): PreviewRequest | undefined {
    return this.inFlight?.request;
  }

  private send(by: ThresholdBy, value: number, now: number): PreviewRequest {
    const request = { requestId: this.nextId++, by, value };
    this.inFlight = { request, sentAt: now };
    return request;
  }
}

/** Asks the host for previews, one at a time; `onAnswer` gets only answers to the latest wish's way. */
export class ThresholdPreviews {
  private readonly flow: PreviewRequests;

  constructor(
    private readonly channel: PanelChannel,
    private readonly onAnswer: (preview: ThresholdPreview) => void,
    private readonly warn: (message: string) => void,
    private readonly now: () => number = Date.now,
    timeoutMs = PREVIEW_TIMEOUT_MS,
  ) {
    this.flow = new PreviewRequests(timeoutMs);
  }

  ask(by: ThresholdBy, value: number): void {
    this.send(this.flow.want(by, value, this.now()));
  }

  private send(request: PreviewRequest | undefined): void {
    if (!request) return;
    this.channel.request(PreviewThresholdRequest, { by: request.by, value: request.value }).then(
      (preview) => this.settle(request.requestId, preview),
      (err: unknown) => this.settle(request.requestId, err instanceof Error ? err : new Error(String(err))),
    );
  }

  private settle(requestId: number, answer: ThresholdPreview | Error): void {
    const { accept, next } = this.flow.answered(requestId, this.now());
    // The way is free: the wish that waited goes out before this answer is drawn.
    this.send(next);
    if (!accept) return;
    if (answer instanceof Error) this.warn(`SalUn panel: no preview: ${answer.message}`);
    else this.onAnswer(answer);
  }
}
