// The panel's typed channel, both ends in plain Node: one definition per kind, validated on receipt
// (malformed messages rejected and logged), requests answered once with a checked reply, the host's
// stale/resync rule, and the posted-message log kept only when asked for, bounded.
import { strict as assert } from 'node:assert';
import { command, isReplyMessage, MessageSet, noParams, notification, request } from '../../src/protocol/ipc';
import { isRecord, isString } from '../../src/protocol/guards';
import { HostChannel, PostedMessages, type WebviewPort } from '../../src/extension/panel/hostChannel';
import { WebviewChannel } from '../../webview/channel';
import {
  HOST_NOTIFICATIONS,
  isHostToWebview,
  isWebviewToHost,
  PreviewThresholdRequest,
  RunsNotification,
  WEBVIEW_MESSAGES,
} from '../../src/protocol/webviewMessages';

const Ping = command('ping', noParams);
const Echo = request(
  'echo',
  (x): x is { text: string } => isRecord(x) && isString(x.text),
  (x): x is { text: string } => isRecord(x) && isString(x.text),
);
const Told = notification('told', (x): x is { n: number } => isRecord(x) && typeof x.n === 'number');

/** A port that records and delivers according to `accept`. */
class FakePort implements WebviewPort {
  readonly sent: unknown[] = [];
  accept = true;
  postMessage(message: unknown): Thenable<boolean> {
    this.sent.push(message);
    return Promise.resolve(this.accept);
  }
}

function log(): { debug: string[]; warn: string[]; error: string[]; sink: { debug(m: string): void; warn(m: string): void; error(m: string): void } } {
  const out = { debug: [] as string[], warn: [] as string[], error: [] as string[] };
  return { ...out, sink: { debug: (m) => out.debug.push(m), warn: (m) => out.warn.push(m), error: (m) => out.error.push(m) } };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('panel ipc: definitions', () => {
  it('every panel kind has one name; the unions are checked by those definitions', () => {
    const names = [...HOST_NOTIFICATIONS, ...WEBVIEW_MESSAGES].map((d) => d.method);
    assert.equal(new Set(names).size, names.length);
    assert.ok(!(names as string[]).includes('reply'));
    assert.throws(() => command('reply', noParams), /cannot name/);
    assert.throws(() => new MessageSet([Ping, command('ping', noParams)]), /defined twice/);
  });

  it('a message needs a known name, valid params, and a request id exactly when it is a request', () => {
    assert.ok(isWebviewToHost({ type: 'previewThreshold', requestId: 3, by: 'gamma', value: 0 }));
    assert.ok(!isWebviewToHost({ type: 'previewThreshold', by: 'gamma', value: 0 }), 'a request without an id');
    assert.ok(!isWebviewToHost({ type: 'requestRuns', requestId: 1 }), 'a command with an id');
    assert.ok(isHostToWebview({ type: 'runs', runs: [] }));
    assert.ok(!isHostToWebview({ type: 'runs', runs: [{ runId: 1 }] }));
    assert.ok(isReplyMessage({ type: 'reply', requestId: 0, reply: null }));
    assert.ok(!isReplyMessage({ type: 'reply', requestId: 0, reply: 1, error: 'both' }));
  });
});

describe('panel ipc: host channel', () => {
  function connected(): { ch: HostChannel<typeof Ping | typeof Echo, typeof Told>; port: FakePort; l: ReturnType<typeof log>; visible: { v: boolean } } {
    const l = log();
    const ch = new HostChannel<typeof Ping | typeof Echo, typeof Told>([Ping, Echo], l.sink, { messageLog: 3 });
    const port = new FakePort();
    const visible = { v: true };
    ch.connect(port, () => visible.v);
    return { ch, port, l, visible };
  }

  it('routes a command to its handler and rejects (and logs) a malformed one', async () => {
    const { ch, l } = connected();
    let pings = 0;
    ch.onCommand(Ping, () => {
      pings++;
    });
    ch.onRequest(Echo, (m) => ({ text: m.text.toUpperCase() }));
    ch.receive({ type: 'ping' });
    ch.receive({ type: 'ping', requestId: 1 });
    ch.receive({ type: 'pong' });
    ch.receive('ping');
    await tick();
    assert.equal(pings, 1);
    assert.equal(l.warn.length, 3);
    assert.match(l.warn[0], /ignored a malformed message/);
  });

  it('a malformed message is logged as malformed, with its type and what failed', async () => {
    const { ch, l } = connected();
    ch.onCommand(Ping, () => undefined);
    ch.onRequest(Echo, (m) => ({ text: m.text }));
    ch.receive({ type: 'ping', requestId: 1 });
    ch.receive({ type: 'pong' });
    ch.receive('ping');
    ch.receive({ type: 'echo', text: 'hi' });
    ch.receive({ type: 'echo', requestId: 2, text: 3 });
    await tick();
    assert.equal(l.warn.length, 5);
    for (const w of l.warn) assert.match(w, /ignored a malformed message/);
    assert.match(l.warn[0], /'ping' is a command and takes no requestId/);
    assert.match(l.warn[1], /unknown type 'pong'/);
    assert.match(l.warn[2], /not an object but string/);
    assert.match(l.warn[3], /'echo' is a request and needs a requestId/);
    assert.match(l.warn[4], /'echo': its params do not pass the request's guard/);
  });

  it('a valid message without a handler is logged as unhandled, not malformed, and a request still gets an answer', async () => {
    const { ch, port, l } = connected();
    ch.markReady();
    ch.receive({ type: 'ping' });
    ch.receive({ type: 'echo', requestId: 4, text: 'hi' });
    await tick();
    assert.deepEqual(l.warn, [
      "webview: unhandled command 'ping' from the webview: no handler is registered for it",
      "webview: unhandled request 'echo' from the webview: no handler is registered for it",
    ]);
    assert.deepEqual(port.sent, [{ type: 'reply', requestId: 4, error: 'no handler for echo' }]);
  });

  it('answers a request once: its reply, or an error when the handler throws or breaks the definition', async () => {
    const { ch, port } = connected();
    ch.markReady();
    let mode: 'ok' | 'throw' | 'bad' = 'ok';
    ch.onRequest(Echo, (m) => {
      if (mode === 'throw') throw new Error('no echo today');
      return mode === 'bad' ? ({ text: 3 } as unknown as { text: string }) : { text: m.text.toUpperCase() };
    });
    ch.receive({ type: 'echo', requestId: 7, text: 'hi' });
    mode = 'throw';
    await tick();
    ch.receive({ type: 'echo', requestId: 8, text: 'hi' });
    await tick();
    mode = 'bad';
    ch.receive({ type: 'echo', requestId: 9, text: 'hi' });
    await tick();
    assert.deepEqual(port.sent, [
      { type: 'reply', requestId: 7, reply: { text: 'HI' } },
      { type: 'reply', requestId: 8, error: 'no echo today' },
      { type: 'reply', requestId: 9, error: 'the reply to echo does not match its definition' },
    ]);
  });

  it('posts nothing before ready or while hidden, and then asks for a resync', async () => {
    const { ch, port, visible } = connected();
    assert.equal(ch.notify(Told, { n: 1 }), false, 'before ready');
    ch.markReady();
    visible.v = false;
    assert.equal(ch.notify(Told, { n: 2 }), false, 'hidden');
    assert.equal(ch.needsResync, true);
    visible.v = true;
    let snapshots = 0;
    ch.resync(() => {
      snapshots++;
      ch.notify(Told, { n: 3 });
    });
    assert.equal(snapshots, 1);
    assert.equal(ch.needsResync, false);
    await tick();
    assert.deepEqual(port.sent, [{ type: 'told', n: 3 }]);
    port.accept = false;
    ch.notify(Told, { n: 4 });
    await tick();
    assert.equal(ch.needsResync, true, 'a dropped post makes it stale');
  });

  it('keeps the posted messages only when asked, bounded, at their positions', async () => {
    const { ch } = connected();
    ch.markReady();
    for (let n = 0; n < 5; n++) ch.notify(Told, { n });
    await tick();
    const seen = ch.messages();
    assert.equal(seen.length, 5, 'positions stay absolute');
    assert.deepEqual(seen.slice(0, 2), [{ type: 'dropped' }, { type: 'dropped' }]);
    assert.deepEqual(seen.slice(2), [
      { type: 'told', n: 2 },
      { type: 'told', n: 3 },
      { type: 'told', n: 4 },
    ]);
    const off = new HostChannel<typeof Ping, typeof Told>([Ping], log().sink);
    const port = new FakePort();
    off.connect(port, () => true);
    off.markReady();
    off.notify(Told, { n: 1 });
    await tick();
    assert.equal(port.sent.length, 1);
    assert.deepEqual(off.messages(), [], 'no log unless asked');
    const big = new PostedMessages<number>(500);
    for (let i = 0; i < 2000; i++) big.push(i);
    assert.equal(big.total, 2000);
    assert.equal(big.messages().slice(1990).length, 10);
  });
});

describe('panel ipc: webview channel', () => {
  function channel(timeoutMs = 1000): { ch: WebviewChannel<typeof Told>; sent: unknown[]; warnings: string[] } {
    const sent: unknown[] = [];
    const warnings: string[] = [];
    const ch = new WebviewChannel<typeof Told>({ postMessage: (m) => sent.push(m) }, [Told], (m) => warnings.push(m), timeoutMs);
    return { ch, sent, warnings };
  }

  it('a request resolves with a reply that passes its definition; other replies are dropped or rejected', async () => {
    const { ch, sent, warnings } = channel();
    const a = ch.request(Echo, { text: 'a' });
    const b = ch.request(Echo, { text: 'b' });
    const c = ch.request(Echo, { text: 'c' });
    assert.deepEqual(sent, [
      { type: 'echo', requestId: 1, text: 'a' },
      { type: 'echo', requestId: 2, text: 'b' },
      { type: 'echo', requestId: 3, text: 'c' },
    ]);
    ch.receive({ type: 'reply', requestId: 1, reply: { text: 'A' } });
    ch.receive({ type: 'reply', requestId: 1, reply: { text: 'again' } });
    ch.receive({ type: 'reply', requestId: 2, reply: { text: 2 } });
    ch.receive({ type: 'reply', requestId: 3, error: 'refused' });
    assert.deepEqual(await a, { text: 'A' });
    await assert.rejects(b, /does not match its definition/);
    await assert.rejects(c, /refused/);
    assert.equal(warnings.length, 1, 'the malformed reply is logged; the late duplicate is not');
    assert.equal(ch.inFlight, 0);
  });

  it('a request the host never answers rejects after its timeout', async () => {
    const { ch } = channel(20);
    await assert.rejects(ch.request(Echo, { text: 'x' }), /no reply within 20 ms/);
    assert.equal(ch.inFlight, 0);
  });

  it('notifications reach their handler only when valid; anything else is logged', () => {
    const { ch, warnings } = channel();
    const got: number[] = [];
    ch.onNotification(Told, (m) => got.push(m.n));
    ch.receive({ type: 'told', n: 4 });
    ch.receive({ type: 'told', n: 'x' });
    ch.receive({ type: 'runs', runs: [] });
    assert.deepEqual(got, [4]);
    assert.equal(warnings.length, 2);
  });

  it('host and webview ends talk through the panel definitions', async () => {
    const l = log();
    const host = new HostChannel([PreviewThresholdRequest], l.sink, {});
    const preview = { ratio: 0.5, gamma: 1e-3, salientWeights: 5, totalWeights: 10, layers: [] };
    host.onRequest(PreviewThresholdRequest, (m) => ({ ...preview, ratio: m.value }));
    let web: WebviewChannel<typeof RunsNotification> | undefined;
    host.connect(
      {
        postMessage: (m) => {
          web?.receive(JSON.parse(JSON.stringify(m)));
          return Promise.resolve(true);
        },
      },
      () => true,
    );
    host.markReady();
    web = new WebviewChannel({ postMessage: (m) => host.receive(JSON.parse(JSON.stringify(m))) }, [RunsNotification], () => undefined);
    const runs: number[] = [];
    web.onNotification(RunsNotification, (m) => runs.push(m.runs.length));
    assert.deepEqual(await web.request(PreviewThresholdRequest, { by: 'ratio', value: 0.25 }), { ...preview, ratio: 0.25 });
    host.notify(RunsNotification, { runs: [] });
    await tick();
    assert.deepEqual(runs, [0]);
  });
});
