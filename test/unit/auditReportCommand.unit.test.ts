// Export Audit Report, the editor command, in plain Node on a fake `vscode`: it is on the same runs'
// context menu as Export Unlearned Model, takes { runId, outDir } from scripts (an outDir outside
// .salun is refused, nothing written), says where it wrote and warns when θo changed since the run,
// turns the CLI's `--out` advice into the editor's words, and writes nothing on Escape.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fakeHost, installFakeVscodeHost, resetFakeHost } from '../support/fakeVscode';
import { UserError } from '../../src/store/errors';
import type { AuditReportExport } from '../../src/store/runs/auditReportExport';
import { auditReportErrorText, parseExportAuditReportArgs, whereEntries } from '../../src/extension/runs/auditReportArgs';

installFakeVscodeHost();
// Required only now: the fake must be in place before the command loads `vscode`.
const { registerAuditReportCommand } = require('../../src/extension/runs/auditReportCommand') as typeof import('../../src/extension/runs/auditReportCommand');
const fakeVscode = require('vscode') as { window: { showQuickPick: (...a: unknown[]) => Promise<unknown> } };

const root = resolve(__dirname, '..', '..', '..');
const ID = 'salun.exportAuditReport';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const made: string[] = [];

/** A workspace with θo in its model cache and one finished run that recorded θo's files. */
function fabricate(): { ws: string; dir: string; theta: string } {
  const ws = mkdtempSync(join(tmpdir(), 'salun-auditcmd-'));
  made.push(ws);
  const theta = join(ws, '.salun', 'cache', 'models', 'abc', 'weights.bin');
  mkdirSync(dirname(theta), { recursive: true });
  writeFileSync(theta, new Uint8Array([1, 2, 3, 4]));
  const dir = join(ws, '.salun', 'runs', '20261207-120000-salun');
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeFileSync(join(dir, 'model', 'model.onnx'), new Uint8Array([9, 9, 9]));
  const originalFiles = [{ path: theta, bytes: 4, sha256: sha(readFileSync(theta)) }];
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ kind: 'run', method: 'salun', forget: { kind: 'random', fraction: 0.1, seed: 1 }, resolved: { originalFiles } }),
  );
  writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'finished', startedAt: '2026-12-07T12:00:00Z', endedAt: '2026-12-07T12:01:00Z' }));
  return { ws, dir, theta };
}

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

function command(): (arg?: unknown) => Promise<AuditReportExport | undefined> {
  registerAuditReportCommand(log as never);
  const handler = fakeHost.handlers.get(ID);
  assert.ok(handler, `${ID} is not registered`);
  return (arg) => handler(arg) as Promise<AuditReportExport | undefined>;
}

describe('Export Audit Report: the Runs menu and the command', () => {
  const showQuickPick = fakeVscode.window.showQuickPick;
  beforeEach(() => resetFakeHost());
  // The fake is the whole unit suite's: the pick answered here goes back for the next file.
  afterEach(() => {
    fakeVscode.window.showQuickPick = showQuickPick;
  });
  after(() => {
    for (const ws of made) rmSync(ws, { recursive: true, force: true });
  });

  it("is on the context menu of exactly the runs Export Unlearned Model's is, and in the palette with a folder open", () => {
    const menus = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, { command?: string; when?: string }[]> } }
    ).contributes.menus;
    const when = (menu: string, id: string): string | undefined => menus[menu].find((i) => i.command === id)?.when;
    assert.ok(when('view/item/context', ID));
    assert.equal(when('view/item/context', ID), when('view/item/context', 'salun.exportModel'));
    assert.equal(when('commandPalette', ID), 'workspaceFolderCount > 0');
  });

  it('takes { runId, outDir } from scripts, and says what is wrong with bad ones', () => {
    assert.equal(parseExportAuditReportArgs(undefined), undefined);
    assert.equal(parseExportAuditReportArgs('/a/run/folder'), undefined);
    assert.deepEqual(parseExportAuditReportArgs({ runId: 'r', outDir: 'o' }), { runId: 'r', outDir: 'o' });
    assert.deepEqual(parseExportAuditReportArgs({ runId: 'r' }), { runId: 'r' });
    assert.throws(() => parseExportAuditReportArgs({ runId: '' }), /salun\.exportAuditReport: runId must be a run id/);
    assert.throws(() => parseExportAuditReportArgs({ runId: 'r', outDir: '' }), /outDir must be a folder path/);
  });

  it("offers the run folder's audit-report first, and says when it replaces one", () => {
    const [run, choose] = whereEntries('/ws/.salun/runs/r', () => false);
    assert.deepEqual([run.where, run.detail, run.description, choose.where], ['run', join('/ws/.salun/runs/r', 'audit-report'), '', 'choose']);
    assert.match(whereEntries('/ws/.salun/runs/r', () => true)[0].description, /replaces/);
  });

  it("scripted: writes the run folder's audit-report, says so, and refuses an outDir outside .salun", async () => {
    const { ws, dir } = fabricate();
    fakeHost.workspaceFolders = [ws];
    const run = command();
    const written = await run({ runId: '20261207-120000-salun' });
    assert.equal(written?.dir, join(dir, 'audit-report'));
    for (const f of ['audit.json', 'audit.md', 'SHA256SUMS']) assert.ok(existsSync(join(dir, 'audit-report', f)), f);
    const [n] = fakeHost.notifications;
    assert.deepEqual([n.level, n.actions], ['info', ['Open audit.md', 'Reveal in Explorer']]);
    assert.ok(n.text.includes(join(dir, 'audit-report')), n.text);
    const elsewhere = await run({ runId: '20261207-120000-salun', outDir: '.salun/reports/r1' });
    assert.equal(elsewhere?.dir, join(ws, '.salun', 'reports', 'r1'));
    await assert.rejects(run({ runId: '20261207-120000-salun', outDir: '../outside' }), /salun\.exportAuditReport: refused outDir \.\.\/outside/);
    assert.ok(!existsSync(join(ws, '..', 'outside')));
    await assert.rejects(run({ runId: 'no-such-run' }), /salun\.exportAuditReport: no run no-such-run/);
  });

  it('warns, naming the file, when θo is no longer as the run read it', async () => {
    const { ws, theta } = fabricate();
    fakeHost.workspaceFolders = [ws];
    writeFileSync(theta, new Uint8Array([4, 3, 2, 1]));
    await command()({ runId: '20261207-120000-salun' });
    const [n] = fakeHost.notifications;
    assert.equal(n.level, 'warning');
    assert.match(n.text, /θo's file is no longer as the run read it: <workspace>\/\.salun\/cache\/models\/abc\/weights\.bin \(changed\)/);
  });

  it("a folder holding other files is refused in the editor's words; Escape at the first question writes nothing", async () => {
    const { ws, dir } = fabricate();
    fakeHost.workspaceFolders = [ws];
    mkdirSync(join(dir, 'audit-report'));
    writeFileSync(join(dir, 'audit-report', 'notes.txt'), 'mine');
    const run = command();
    await assert.rejects(run({ runId: '20261207-120000-salun' }), (e: Error) => /never replaced/.test(e.message) && /Give outDir/.test(e.message));
    // From the palette: Enter on the first "where" entry; the error is shown, not thrown.
    fakeVscode.window.showQuickPick = (items: unknown) => Promise.resolve((items as unknown[])[0]);
    fakeHost.notifications = [];
    assert.equal(await run(dir), undefined);
    const shown = fakeHost.notifications.find((x) => x.level === 'error');
    assert.ok(shown && /never replaced/.test(shown.text) && !shown.text.includes('--out'), JSON.stringify(fakeHost.notifications));
    // Escape (the pick resolves undefined): nothing written, nothing said.
    fakeVscode.window.showQuickPick = () => Promise.resolve(undefined);
    fakeHost.notifications = [];
    assert.equal(await run(dir), undefined);
    assert.deepEqual(fakeHost.notifications, []);
    assert.equal(readFileSync(join(dir, 'audit-report', 'notes.txt'), 'utf8'), 'mine');
  });

  it("keeps a store error's own hint when it is not the CLI's --out advice", () => {
    assert.equal(auditReportErrorText(new UserError('run r is running', 'Wait for it to finish.'), false), 'run r is running. Wait for it to finish.');
    assert.equal(
      auditReportErrorText(new UserError('cannot write', 'Choose another folder (--out).'), false),
      "cannot write. Choose a new or empty folder, or the run folder's audit-report.",
    );
  });
});
