// The plain job commands (commands.ts) in plain Node on a fake `vscode`: what Stop and Keep says
// will happen, and a command reached in Restricted Mode explaining itself instead of failing.
import * as assert from 'node:assert/strict';
import { fakeHost, installFakeVscodeHost, resetFakeHost } from '../support/fakeVscode';
import { JOB_KIND_FACTS, JOB_KINDS, type JobEvent, type JobKind } from '../../src/protocol/jobMessages';
import { STOP_AND_KEEP_MESSAGES, stopAndKeepMessage, unlearningEpoch } from '../../src/extension/jobs/stopAndKeepMessage';

installFakeVscodeHost();
// Required only now: the fake must be in place before commands.ts loads `vscode`.
const { registerCommands } = require('../../src/extension/jobs/commands') as typeof import('../../src/extension/jobs/commands');

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function deps(kind: JobKind | undefined, events: JobEvent[]): { started: unknown[]; value: Parameters<typeof registerCommands>[0] } {
  const started: unknown[] = [];
  const supervisor = {
    get running() {
      return kind !== undefined;
    },
    runningKind: kind,
    kind,
    eventLog: () => events,
    stop: () => kind !== undefined,
    cancel: () => kind !== undefined,
    start: (c: unknown) => {
      started.push(c);
      return Promise.resolve({ status: 'finished', events: [] });
    },
  };
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined, show: () => undefined };
  return { started, value: { supervisor: supervisor as never, log: log as never, revealPanel: () => Promise.resolve() } };
}

const unlearnEpoch = (epoch: number): JobEvent => ({ type: 'progress', phase: 'unlearn', done: epoch - 0.5, total: 5, epoch });

describe('Stop and Keep says what will happen', () => {
  beforeEach(() => resetFakeHost());

  it('during unlearning: it stops at the end of the epoch running now', async () => {
    const events: JobEvent[] = [
      { type: 'phase', phase: 'retrain', label: '' },
      { type: 'phase', phase: 'unlearn', label: '' },
      unlearnEpoch(2),
      unlearnEpoch(3),
    ];
    const d = deps('run', events);
    registerCommands(d.value);
    assert.equal(await fakeHost.handlers.get('salun.stopAndKeep')?.(), true);
    await flush();
    const text = fakeHost.notifications[0]?.text ?? '';
    assert.match(text, /end of unlearning epoch 3/);
    assert.doesNotMatch(text, /before unlearning began/);
  });

  it('each kind whose row allows Stop and Keep says what it will do; the others have no message', () => {
    for (const k of JOB_KINDS) assert.equal(STOP_AND_KEEP_MESSAGES[k] !== undefined, JOB_KIND_FACTS[k].stopAndKeep === true, k);
    assert.match(stopAndKeepMessage('table', []) ?? '', /table\.md will hold the rows done so far/);
  });

  it('before unlearning: unlearning will run one epoch, then stop', () => {
    const text = stopAndKeepMessage('run', [
      { type: 'phase', phase: 'retrain', label: '' },
      { type: 'progress', phase: 'retrain', done: 3, total: 12, epoch: 3 },
    ]);
    assert.match(text ?? '', /unlearning runs one epoch and stops/);
    assert.equal(unlearningEpoch([{ type: 'phase', phase: 'unlearn', label: '' }]), 1);
    assert.equal(unlearningEpoch([]), undefined);
  });
});

describe('Restricted Mode', () => {
  beforeEach(() => resetFakeHost());

  it('a job command reached anyway says what to do, with Manage Workspace Trust, and is no error', async () => {
    fakeHost.isTrusted = false;
    fakeHost.workspaceFolders = ['/ws'];
    fakeHost.click = (n) => n.actions[0];
    const d = deps(undefined, []);
    registerCommands(d.value);
    assert.equal(await fakeHost.handlers.get('salun.runUnlearning')?.(), undefined);
    await flush();
    assert.deepEqual(d.started, []);
    assert.equal(fakeHost.notifications.length, 1);
    const n = fakeHost.notifications[0];
    assert.notEqual(n.level, 'error');
    assert.match(n.text, /Restricted Mode/);
    assert.deepEqual(n.actions, ['Manage Workspace Trust']);
    assert.deepEqual(fakeHost.executed.at(-1), { command: 'workbench.trust.manage', args: [] });
  });
});
