// The panel's handler table (extension/panel/panelHandlers.ts) against the protocol's definitions:
// the compiler's `satisfies` check, held again at run time — every kind a webview may send has
// exactly one handler in exactly one area — and a channel that registers the table routes each
// kind to it (a request is answered by its area's handler, never as "unhandled").
import { strict as assert } from 'node:assert';
import { installFakeVscodeHost } from '../support/fakeVscode';
import { command, noParams, request } from '../../src/protocol/ipc';
import { isRecord, isString } from '../../src/protocol/guards';
import { HostChannel, type HandlerTable, type WebviewPort } from '../../src/extension/panel/hostChannel';
import { WEBVIEW_MESSAGES } from '../../src/protocol/webviewMessages';
import type { PanelChannel, PanelContext } from '../../src/extension/panel/panelContext';
import type { PanelHostState } from '../../src/extension/panel/panelHostState';

installFakeVscodeHost();
// Required only now: the handlers load `vscode`, and the fake must be in place first.
const { PANEL_HANDLER_AREAS, PANEL_HANDLERS } = require('../../src/extension/panel/panelHandlers') as typeof import('../../src/extension/panel/panelHandlers');

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

class FakePort implements WebviewPort {
  readonly sent: unknown[] = [];
  postMessage(message: unknown): Thenable<boolean> {
    this.sent.push(message);
    return Promise.resolve(true);
  }
}

function sink(): { warn: string[]; log: { debug(m: string): void; warn(m: string): void; error(m: string): void; info(m: string): void } } {
  const warn: string[] = [];
  return { warn, log: { debug: () => undefined, info: () => undefined, error: (m) => warn.push(m), warn: (m) => warn.push(m) } };
}

describe('panel handlers: one per kind the webview sends', () => {
  const kinds = WEBVIEW_MESSAGES.map((d) => d.method).sort();

  it('the table has a handler for every kind of the protocol, and none for another', () => {
    const table = PANEL_HANDLERS as Readonly<Record<string, unknown>>;
    assert.deepEqual(Object.keys(table).sort(), kinds);
    for (const kind of kinds) assert.equal(typeof table[kind], 'function', `${kind}'s handler`);
  });

  it('each kind is handled in exactly one area, and the areas make up the table', () => {
    const owners = new Map<string, string[]>();
    for (const [area, handlers] of Object.entries(PANEL_HANDLER_AREAS)) {
      assert.ok(Object.keys(handlers).length > 0, `area ${area} handles nothing`);
      for (const kind of Object.keys(handlers)) owners.set(kind, [...(owners.get(kind) ?? []), area]);
    }
    assert.deepEqual([...owners.keys()].sort(), kinds);
    assert.deepEqual(
      [...owners].filter(([, areas]) => areas.length > 1),
      [],
    );
  });

  it('a channel given the table answers requests through their areas', async () => {
    const { warn, log } = sink();
    const ch: PanelChannel = new HostChannel(WEBVIEW_MESSAGES, log, { name: 'panel' });
    const port = new FakePort();
    ch.connect(port, () => true);
    let replays = 0;
    const state = { saliency: undefined, isListedRun: () => false, loadJobSaliency: () => undefined, ensureRuns: () => undefined } as unknown as PanelHostState;
    const context: PanelContext = {
      channel: ch,
      state,
      log: log as unknown as PanelContext['log'],
      memory: undefined,
      replay: () => replays++,
      openInEditor: () => undefined,
      onAction: () => undefined,
    };
    ch.handleAll(PANEL_HANDLERS, context);
    ch.receive({ type: 'ready' });
    await tick();
    assert.equal(replays, 1, 'ready asks for a replay');
    assert.ok(ch.deliverable, 'ready marks the channel ready');
    ch.receive({ type: 'previewThreshold', requestId: 1, by: 'ratio', value: 0.5 });
    ch.receive({ type: 'getRunConfig', requestId: 2, runDir: '/elsewhere/run' });
    ch.receive({ type: 'nextRun', requestId: 3 });
    await tick();
    assert.deepEqual(port.sent, [
      { type: 'reply', requestId: 1, error: 'No saliency map has been read yet.' },
      { type: 'reply', requestId: 2, error: '/elsewhere/run is not a run folder of this workspace' },
      { type: 'reply', requestId: 3, reply: { configured: false } },
    ]);
    assert.deepEqual(
      warn.filter((w) => /unhandled|malformed/.test(w)),
      [],
    );
  });
});

describe('HostChannel.handleAll: a table checked against the channel at registration', () => {
  const Ping = command('ping', noParams);
  const Echo = request(
    'echo',
    (x): x is { text: string } => isRecord(x) && isString(x.text),
    (x): x is { text: string } => isRecord(x) && isString(x.text),
  );
  type Kinds = typeof Ping | typeof Echo;

  it('refuses a table that misses a kind, or names one the channel does not accept', () => {
    const ch = new HostChannel<Kinds, never>([Ping, Echo], sink().log, { name: 'test' });
    // Casts stand for a table built at run time, which the compiler cannot check.
    const missing = { ping: () => undefined } as unknown as HandlerTable<Kinds, null>;
    assert.throws(() => ch.handleAll(missing, null), /test: no handler for echo/);
    const extra = { ping: () => undefined, echo: (m: { text: string }) => m, pong: () => undefined } as unknown as HandlerTable<Kinds, null>;
    assert.throws(() => ch.handleAll(extra, null), /test: handlers for kinds it does not accept: pong/);
  });

  it('calls each handler with the message and the context it was given', async () => {
    const ch = new HostChannel<Kinds, never>([Ping, Echo], sink().log);
    const port = new FakePort();
    ch.connect(port, () => true);
    ch.markReady();
    const pinged: string[] = [];
    ch.handleAll<string>({ ping: (_m, who) => void pinged.push(who), echo: (m, who) => ({ text: `${who}: ${m.text}` }) }, 'ctx');
    ch.receive({ type: 'ping' });
    ch.receive({ type: 'echo', requestId: 5, text: 'hi' });
    await tick();
    assert.deepEqual(pinged, ['ctx']);
    assert.deepEqual(port.sent, [{ type: 'reply', requestId: 5, reply: { text: 'ctx: hi' } }]);
  });
});
