// Runs inside a real extension host (code-server or VS Code; scripts/host-test.mjs). Drives the
// extension only through what a user or another extension has: its commands and the SalunApi that
// activate() returns.
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { JobOutcome, SalunApi } from '../../src/extension/api';
import { COMMAND_IDS } from '../../src/extension/commandIds';
import { SalunPanelProvider, TEST_MESSAGE_LOG } from '../../src/extension/panel/panelProvider';
import type { ComparisonFiles } from '../../src/extension/runs/reportFiles';
import { gunzipSync } from 'zlib';
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { EvaluatedModel, Metrics, SaliencySummary } from '../../src/protocol/results';
import type { HostToWebview } from '../../src/protocol/webviewMessages';
import { writeSafetensors } from '../../src/store/checkpoints/safetensors';
import type { StateDict } from '../../src/store/checkpoints/stateDict';
import { log } from './index';

const EXTENSION_ID = 'salun-lab.salun-lab';
/** commandIds.ts is the one list (a unit test checks package.json against it); here: all registered. */
const COMMANDS: readonly string[] = Object.values(COMMAND_IDS);

/** The saliency job trains the small model on the bundled data first: minutes on a CPU backend. */
const JOB_TIMEOUT_MS = Number(process.env.SALUN_HOST_TEST_JOB_TIMEOUT_MS) || 20 * 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | null | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

function withTimeout<T>(what: string, ms: number, p: Thenable<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(p),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describeOutcome(o: JobOutcome | undefined): string {
  if (!o) return 'no outcome (undefined)';
  const failed = o.events.find((e): e is Extract<JobEvent, { type: 'failed' }> => e.type === 'failed');
  const logs = o.events
    .filter((e) => e.type === 'log')
    .slice(-5)
    .map((e) => (e.type === 'log' ? `${e.level}: ${e.message}` : ''));
  return (
    `status '${o.status}'${failed ? `: ${failed.error.message}${failed.error.hint ? ` (${failed.error.hint})` : ''}${failed.error.file ? ` [${failed.error.file}]` : ''}` : ''}` +
    `; ${o.events.length} events${logs.length ? `; last logs: ${logs.join(' | ')}` : ''}`
  );
}

/** Every job event the panel was handed after index `from`, live or inside a replay. */
/** Runs a command that asks questions and presses Escape (closes the quick input) until it resolves; its result. */
async function escapeFlow(command: string, limitMs: number): Promise<unknown> {
  let settled = false;
  const result = Promise.resolve(vscode.commands.executeCommand<unknown>(command)).finally(() => {
    settled = true;
  });
  const deadline = Date.now() + limitMs;
  while (!settled && Date.now() < deadline) {
    await sleep(500);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  }
  return withTimeout(`${command} after Escape`, 5_000, result);
}

function panelEvents(api: SalunApi, from: number): JobEvent[] {
  const out: JobEvent[] = [];
  for (const m of api.panelMessages().slice(from)) {
    if (m.type === 'event') out.push(m.event);
    else if (m.type === 'replay') out.push(...m.events);
  }
  return out;
}

/**
 * Runs a job command and returns the outcome seen through api.waitForJob() (which only sees a
 * running job, so it is polled from the moment the command is issued) and what the command resolved
 * with (the same outcome, or undefined when nothing was started).
 */
async function runJobCommand(
  api: SalunApi,
  command: string,
  onRunning?: () => Promise<void>,
  ...args: unknown[]
): Promise<{ outcome: JobOutcome; commandResult: unknown }> {
  let settled = false;
  const cmd = Promise.resolve(vscode.commands.executeCommand<unknown>(command, ...args)).finally(() => {
    settled = true;
  });
  cmd.catch(() => undefined); // observed below
  for (;;) {
    const waiting = api.waitForJob();
    // A pending promise here means a job is running.
    const first = await Promise.race([waiting, sleep(50).then(() => 'pending' as const)]);
    if (first === 'pending') {
      if (onRunning) await onRunning();
      const outcome = await withTimeout(`api.waitForJob() after ${command}`, JOB_TIMEOUT_MS, waiting);
      assert.ok(outcome, 'api.waitForJob() resolved undefined while a job was running');
      const commandResult = await withTimeout(`executeCommand('${command}') after the job ended`, 30_000, cmd);
      return { outcome, commandResult };
    }
    if (first) {
      return { outcome: first, commandResult: await withTimeout(`executeCommand('${command}')`, 30_000, cmd) };
    }
    if (settled) {
      const r = await cmd;
      throw new Error(`${command} ended before api.waitForJob() saw a running job; the command returned ${describeOutcome(r as JobOutcome | undefined)}`);
    }
  }
}

/** The folder name of this platform's Dawn build, as src/engine/backend/webgpu.ts names it. */
function dawnPlatform(): string {
  return process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
}

/**
 * The first `n` samples of the extension's bundled data (gzipped idx) written as plain idx files
 * into `to`: a data set small enough for a job on a software GPU.
 */
function writeTinyIdx(from: string, to: string, n: { train: number; test: number }): void {
  fs.mkdirSync(to, { recursive: true });
  for (const [name, count] of [
    ['train', n.train],
    ['t10k', n.test],
  ] as const) {
    const images = gunzipSync(fs.readFileSync(path.join(from, `${name}-images-idx3-ubyte.gz`)));
    const labels = gunzipSync(fs.readFileSync(path.join(from, `${name}-labels-idx1-ubyte.gz`)));
    const pixels = images.readUInt32BE(8) * images.readUInt32BE(12);
    const imageSlice = Buffer.from(images.subarray(0, 16 + count * pixels));
    imageSlice.writeUInt32BE(count, 4);
    const labelSlice = Buffer.from(labels.subarray(0, 8 + count));
    labelSlice.writeUInt32BE(count, 4);
    fs.writeFileSync(path.join(to, `${name}-images-idx3-ubyte`), imageSlice);
    fs.writeFileSync(path.join(to, `${name}-labels-idx1-ubyte`), labelSlice);
  }
}

/** Every suite's start: the extension, activated, and the API its tests drive. */
async function activateSalun(): Promise<SalunApi> {
  const ext = vscode.extensions.getExtension<SalunApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

/** Every suite's end: never leave a job behind, or the host would wait for it or kill it mid-write. */
async function endLastJob(api: SalunApi | undefined): Promise<void> {
  if (!api) return;
  await vscode.commands.executeCommand('salun.cancelJob');
  await withTimeout('the last job to end', 60_000, api.waitForJob()).catch((e: unknown) => log(`teardown: ${String(e)}`));
}

describe('SalUn Lab in the extension host', () => {
  let api: SalunApi;

  before(async () => {
    api = await activateSalun();
  });

  after(async () => {
    await endLastJob(api);
  });

  it('activates and exports the SalunApi', () => {
    const ext = vscode.extensions.getExtension<SalunApi>(EXTENSION_ID);
    assert.ok(ext?.isActive, 'the extension is not active');
    assert.strictEqual(ext.exports, api);
    assert.strictEqual(typeof api.waitForJob, 'function');
    assert.strictEqual(typeof api.panelMessages, 'function');
    assert.ok(Array.isArray(api.panelMessages()));
    assert.ok(Array.isArray(api.runsTree()));
  });

  it('registers its commands', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = COMMANDS.filter((c) => !all.has(c));
    assert.deepStrictEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('cancelJob with no job running does nothing', async () => {
    assert.strictEqual(await api.waitForJob(), undefined);
    assert.strictEqual(await vscode.commands.executeCommand('salun.cancelJob'), false);
  });

  it('openPanel shows the panel, which says ready and gets a replay', async () => {
    const before = api.panelMessages().length;
    await vscode.commands.executeCommand('salun.openPanel');
    // The webview loads in the browser and posts 'ready'; the host answers with a replay.
    const replay = await until('a replay message to the panel', 120_000, () =>
      api
        .panelMessages()
        .slice(before)
        .find((m): m is Extract<HostToWebview, { type: 'replay' }> => m.type === 'replay'),
    );
    assert.ok(Array.isArray(replay.events));
    assert.strictEqual(replay.jobRunning, false);
  }).timeout(150_000);

  it("openPanel's posted-message log exists only in test runs and keeps the last TEST_MESSAGE_LOG", () => {
    const { Production, Development, Test } = vscode.ExtensionMode;
    assert.strictEqual(SalunPanelProvider.messageLogFor(Production, {}), 0, 'an installed extension keeps no log');
    assert.strictEqual(SalunPanelProvider.messageLogFor(Development, {}), 0, 'an F5 session keeps no log');
    assert.strictEqual(SalunPanelProvider.messageLogFor(Test, {}), TEST_MESSAGE_LOG);
    assert.strictEqual(SalunPanelProvider.messageLogFor(Production, { SALUN_PANEL_MESSAGE_LOG: '7' }), 7, 'asked for by size');
    assert.strictEqual(SalunPanelProvider.messageLogFor(Test, { SALUN_PANEL_MESSAGE_LOG: '0' }), 0, 'turned off by size');
    assert.strictEqual(SalunPanelProvider.messageLogFor(Test, { SALUN_PANEL_MESSAGE_LOG: 'lots' }), TEST_MESSAGE_LOG, 'a size that is not one is ignored');
    // This host runs the suite, so the panel keeps its log (the openPanel test above filled it), bounded.
    const all = api.panelMessages();
    const held = all.filter((m) => m.type !== 'dropped');
    assert.ok(held.length > 0, 'the test run kept no posted messages');
    assert.ok(held.length <= TEST_MESSAGE_LOG, `${held.length} messages held, more than ${TEST_MESSAGE_LOG}`);
    assert.ok(
      all.slice(0, all.length - held.length).every((m) => m.type === 'dropped'),
      'dropped entries stand only before the held ones',
    );
  });

  it('a second start while a job runs is refused, and cancelJob cancels', async () => {
    const from = api.panelMessages().length;
    const { outcome, commandResult } = await runJobCommand(api, 'salun.runUnlearning', async () => {
      // Let the job process come up and start working before poking it.
      await until('the run to report started', 120_000, () => panelEvents(api, from).some((e) => e.type === 'started'));
      const second = await withTimeout('a refused computeSaliency', 30_000, vscode.commands.executeCommand('salun.computeSaliency'));
      assert.strictEqual(second, undefined, 'a second job was started while one was running');
      assert.strictEqual(await vscode.commands.executeCommand('salun.cancelJob'), true, 'cancelJob did not find the running job');
    });
    assert.strictEqual(outcome.status, 'cancelled', describeOutcome(outcome));
    assert.ok(
      outcome.events.some((e) => e.type === 'started' && e.kind === 'run'),
      'the cancelled job was not the unlearning run',
    );
    assert.deepStrictEqual(commandResult, outcome, 'runUnlearning should resolve with the same outcome');
    // Only the one job ran: the refused start did not queue a second one.
    await sleep(1000);
    assert.strictEqual(await api.waitForJob(), undefined, 'a job is still running after the cancel');
    const starts = panelEvents(api, from).filter((e) => e.type === 'started');
    assert.ok(
      starts.every((e) => e.type === 'started' && e.kind === 'run'),
      `unexpected job starts: ${JSON.stringify(starts)}`,
    );
  }).timeout(5 * 60_000);

  it('newRun: Escape at the first step cancels, starting nothing', async () => {
    // The first step searches the workspace for model.json files before it shows.
    assert.strictEqual(await escapeFlow('salun.newRun', 60_000), undefined);
    assert.strictEqual(await api.waitForJob(), undefined, 'a job was started by a cancelled flow');
  });

  it('runs tree: Re-run a run folder, Stop and Keep it, open it in the panel, then Delete it', async () => {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the host suite needs a workspace folder');
    // A recorded run, as the job writes it: the config plus its run record (dropped on re-run). MLP, one
    // training epoch: cheap. 20 unlearning epochs, so only Stop and Keep ends it early.
    const template = path.join(ws, '.salun', 'runs', '20000101-000000-template');
    fs.mkdirSync(template, { recursive: true });
    const config = {
      data: { kind: 'default' },
      model: { kind: 'builtin', architecture: 'mlp' },
      forget: { kind: 'random', fraction: 0.1, seed: 1 },
      method: 'salun',
      saliency: { ratio: 0.5 },
      train: { epochs: 1, lr: 0.05, schedule: 'cosine', momentum: 0.9, weightDecay: 5e-4, batchSize: 128 },
      unlearn: { epochs: 20, lr: 0.005, schedule: 'constant', momentum: 0.9, weightDecay: 5e-4, batchSize: 128 },
      retrain: true,
      seed: 1,
      backend: 'wasm',
      kind: 'run',
      versions: { salunLab: 'test' },
    };
    fs.writeFileSync(path.join(template, 'config.json'), JSON.stringify(config));
    fs.writeFileSync(path.join(template, 'status.json'), JSON.stringify({ state: 'finished', startedAt: '2000-01-01T00:00:00Z' }));

    const { outcome } = await runJobCommand(
      api,
      'salun.rerunRun',
      async () => {
        // Asked before unlearning begins: the run stops after its first unlearning epoch.
        assert.strictEqual(await vscode.commands.executeCommand('salun.stopAndKeep'), true, 'stopAndKeep did not find the running run');
      },
      template,
    );
    assert.strictEqual(outcome.status, 'finished', describeOutcome(outcome));
    const result = outcome.result;
    assert.ok(result, 'no result');
    assert.deepStrictEqual(result.stopped, { epoch: 1, of: 20 });
    assert.notStrictEqual(result.runDir, template);
    const status = JSON.parse(fs.readFileSync(path.join(result.runDir, 'status.json'), 'utf8')) as { state: string };
    assert.strictEqual(status.state, 'stopped');
    assert.ok(fs.existsSync(path.join(result.runDir, 'model', 'model.json')), 'the kept model was not written');
    const rerunConfig = JSON.parse(fs.readFileSync(path.join(result.runDir, 'config.json'), 'utf8')) as { unlearn: { epochs: number }; model: unknown };
    assert.deepStrictEqual(rerunConfig.model, config.model);
    assert.strictEqual(rerunConfig.unlearn.epochs, 20);
    log(`      re-run ${result.runId}: stopped after epoch ${result.stopped?.epoch} of ${result.stopped?.of}`);

    assert.strictEqual(await vscode.commands.executeCommand('salun.openRunInPanel', result.runDir), result.runId);
    // The panel is told to select that run for comparison (delivered once the view is ready).
    const focusBy = Date.now() + 30_000;
    const focused = (): boolean => api.panelMessages().some((m) => m.type === 'focusRun' && m.runId === result.runId);
    while (!focused() && Date.now() < focusBy) await sleep(100);
    assert.ok(focused(), `no focusRun message for ${result.runId} reached the panel`);
    // Its metric trend replaces the live job's: the one epoch metrics.jsonl holds, against its Retrain.
    const trend = api.panelMessages().find((m): m is Extract<HostToWebview, { type: 'runTrend' }> => m.type === 'runTrend' && m.runId === result.runId);
    assert.ok(trend, `no runTrend message for ${result.runId} reached the panel`);
    assert.deepStrictEqual(
      trend.points.map((p) => p.epoch),
      [1],
    );
    assert.strictEqual(trend.label, `Run ${result.runId} (stopped after epoch 1)`);
    assert.deepStrictEqual(trend.points[0].metrics, result.rows.find((r) => r.role === 'unlearned')?.metrics);
    assert.ok(trend.reference.retrain, 'no Retrain reference in the run trend');

    // Evaluate Model from the explorer's context menu on the kept model.json: its one question
    // (metrics only, or also the gap to Retrain) is answered with the first item, metrics only.
    const modelUri = vscode.Uri.file(path.join(result.runDir, 'model', 'model.json'));
    let evalSettled = false;
    const evaluation = Promise.resolve(vscode.commands.executeCommand<JobOutcome | undefined>('salun.evaluateModel', modelUri)).finally(() => {
      evalSettled = true;
    });
    const acceptBy = Date.now() + 60_000;
    while (!evalSettled && Date.now() < acceptBy) {
      const waiting = await Promise.race([api.waitForJob(), sleep(50).then(() => 'pending' as const)]);
      if (waiting === 'pending') break;
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await sleep(500);
    }
    const evaluated = await withTimeout('salun.evaluateModel', JOB_TIMEOUT_MS, evaluation);
    assert.ok(evaluated, 'evaluateModel started no job');
    assert.strictEqual(evaluated.status, 'finished', describeOutcome(evaluated));
    assert.ok(evaluated.events.some((e) => e.type === 'started' && e.kind === 'evaluate'));
    assert.deepStrictEqual(
      evaluated.result?.rows.map((r) => r.role),
      ['unlearned'],
    );
    // The same model on the same data and forget set (the defaults): the metrics the run kept.
    const kept = result.rows.find((r) => r.role === 'unlearned');
    assert.deepStrictEqual(evaluated.result?.rows[0].metrics, kept?.metrics);
    const evalDir = evaluated.result?.runDir;
    assert.ok(evalDir && fs.existsSync(path.join(evalDir, 'report.md')));

    for (const dir of [result.runDir, template, evalDir]) {
      assert.strictEqual(await vscode.commands.executeCommand('salun.deleteRun', dir, { confirm: false }), true, `deleteRun ${dir}`);
      assert.ok(!fs.existsSync(dir), `${dir} still exists after deleteRun`);
    }
  }).timeout(JOB_TIMEOUT_MS + 60_000);

  it('computeSaliency finishes and the panel gets a consistent saliency summary', async () => {
    const from = api.panelMessages().length;
    const t0 = Date.now();
    const { outcome, commandResult } = await runJobCommand(api, 'salun.computeSaliency');
    log(`      saliency job: ${outcome.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.strictEqual(outcome.status, 'finished', describeOutcome(outcome));
    assert.deepStrictEqual(commandResult, outcome, 'computeSaliency should resolve with the same outcome');

    const live = api
      .panelMessages()
      .slice(from)
      .filter((m): m is Extract<HostToWebview, { type: 'event' }> => m.type === 'event')
      .map((m) => m.event)
      .find((e): e is Extract<JobEvent, { type: 'saliency' }> => e.type === 'saliency');
    assert.ok(
      live,
      `the panel was not sent a live saliency event; it got: ${api
        .panelMessages()
        .slice(from)
        .map((m) => (m.type === 'event' ? `event:${m.event.type}` : m.type))
        .join(', ')}`,
    );
    const s: SaliencySummary = live.summary;

    assert.ok(s.layers.length > 0, 'no layers in the saliency summary');
    for (const l of s.layers) {
      assert.ok(l.count > 0, `${l.name}: count ${l.count}`);
      assert.ok(l.salient >= 0 && l.salient <= l.count, `${l.name}: salient ${l.salient} of ${l.count}`);
      assert.ok(l.salientFraction >= 0 && l.salientFraction <= 1, `${l.name}: salientFraction ${l.salientFraction}`);
      assert.ok(Math.abs(l.salientFraction - l.salient / l.count) < 1e-6, `${l.name}: salientFraction ${l.salientFraction} ≠ ${l.salient}/${l.count}`);
    }
    const total = s.layers.reduce((a, l) => a + l.count, 0);
    const salient = s.layers.reduce((a, l) => a + l.salient, 0);
    assert.strictEqual(total, s.totalWeights, 'layer counts do not add up to totalWeights');
    assert.strictEqual(salient, s.salientWeights, 'layer salient counts do not add up to salientWeights');
    assert.ok(s.ratio > 0 && s.ratio <= 1, `ratio ${s.ratio}`);
    // A global top-ratio mask: ties at the threshold may add a few, never a whole layer's worth.
    const expected = s.ratio * s.totalWeights;
    assert.ok(
      Math.abs(salient - expected) <= Math.max(1, 0.01 * s.totalWeights),
      `salient weights ${salient} are not ≈ ratio ${s.ratio} × total ${s.totalWeights} = ${expected}`,
    );

    // The outcome carries the same summary the panel was shown.
    const inOutcome = outcome.events.find((e): e is Extract<JobEvent, { type: 'saliency' }> => e.type === 'saliency');
    assert.ok(inOutcome, 'the outcome has no saliency event');
    assert.deepStrictEqual(inOutcome.summary, s);
    log(`      saliency: ${s.layers.length} layers, ${salient}/${total} salient (ratio ${s.ratio})`);
  }).timeout(JOB_TIMEOUT_MS + 60_000);

  it('a whole study without prompts: New Run, the Runs tree, Compare Runs, Export Run Report', async () => {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the host suite needs a workspace folder');
    // The MLP on the bundled data (θo and Retrain with the settings' recipe), one SalUn epoch.
    const answers = {
      model: { kind: 'builtin', architecture: 'mlp' },
      data: { kind: 'default' },
      forget: { kind: 'random', fraction: 0.1, seed: 1 },
      method: 'salun',
      epochs: 1,
      lr: 0.005,
      ratio: 0.5,
    };
    const t0 = Date.now();
    const { outcome, commandResult } = await runJobCommand(api, 'salun.newRun', undefined, { answers });
    log(`      study run: ${outcome.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.strictEqual(outcome.status, 'finished', describeOutcome(outcome));
    assert.deepStrictEqual(commandResult, outcome, 'newRun should resolve with the same outcome');
    const result = outcome.result;
    assert.ok(result, 'no result');
    assert.strictEqual(result.stopped, undefined);
    const dir = result.runDir;
    const readJson = <T>(...parts: string[]): T => JSON.parse(fs.readFileSync(path.join(dir, ...parts), 'utf8')) as T;
    assert.strictEqual(readJson<{ state: string }>('status.json').state, 'finished');
    assert.strictEqual(readJson<{ method: string; unlearn: { epochs: number } }>('config.json').unlearn.epochs, 1);

    // Saliency was computed, and is what the run reported.
    for (const f of ['summary.json', 'mask.bits', 'scores.f32']) assert.ok(fs.existsSync(path.join(dir, 'saliency', f)), `saliency/${f} missing`);
    const summary = readJson<SaliencySummary>('saliency', 'summary.json');
    const { ratio, gamma, totalWeights, salientWeights, layers } = summary;
    assert.deepStrictEqual(result.saliency, { ratio, gamma, totalWeights, salientWeights, layers });
    assert.ok(summary.salientWeights > 0 && summary.salientWeights < summary.totalWeights, `${summary.salientWeights} of ${summary.totalWeights} salient`);

    // The numbers every check below compares with, read from disk.
    const rows = readJson<{ rows: EvaluatedModel[] }>('report.json').rows;
    const retrain = rows.find((r) => r.role === 'retrain');
    const unlearned = rows.find((r) => r.role === 'unlearned');
    assert.ok(retrain && unlearned && unlearned.method === 'salun' && unlearned.avgGap !== undefined, `report.json rows: ${JSON.stringify(rows)}`);
    const epochs = fs
      .readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Metrics & { role: string; epoch: number })
      .filter((l) => l.role === 'unlearned');
    assert.deepStrictEqual(
      epochs.map((e) => e.epoch),
      [1],
    );
    const f2 = (x: number): string => x.toFixed(2);
    const metricCells = (m: Metrics): string => [m.UA, m.RA, m.TA, m.MIA].map(f2).join(' | ');

    // The Runs view lists it with its state (the tree refreshes on status.json; read it as the view does).
    const entry = await until(`the Runs tree to list ${result.runId}`, 30_000, () =>
      api.runsTree().find((e) => e.runId === result.runId && e.state === 'finished'),
    );
    assert.strictEqual(entry.dir, dir);
    assert.strictEqual(entry.contextValue, 'salun.run.finished.model');
    assert.ok(
      entry.description.startsWith('salun') && entry.description.includes(`gap ${unlearned.avgGap.toFixed(2)}`),
      `tree description: ${entry.description}`,
    );
    assert.strictEqual(api.runsTree()[0]?.runId, result.runId, 'the newest run is listed first');

    // Compare Runs, scripted: Retrain first, the run's method and numbers, ★ on the best gap; the CSV beside.
    // Scripted outFiles must lie under the workspace's .salun (pathConfinement.ts).
    const outFile = path.join(ws, '.salun', 'study', 'comparison.md');
    const files = await withTimeout(
      'salun.compareRuns',
      60_000,
      vscode.commands.executeCommand<ComparisonFiles | undefined>('salun.compareRuns', { runIds: [result.runId], outFile }),
    );
    assert.ok(files, 'compareRuns wrote nothing');
    assert.deepStrictEqual(files, { markdown: outFile, csv: path.join(ws, '.salun', 'study', 'comparison.csv') });
    const md = fs.readFileSync(files.markdown, 'utf8');
    const retrainLine = `| Retrain |  | — | ${metricCells(retrain.metrics)} | ${f2(retrain.avgGap ?? 0)} | ${retrain.seconds.toFixed(1)} |`;
    const runLine = `| **SalUn** ★ | ${result.runId} | ${summary.ratio.toFixed(3)} | ${metricCells(unlearned.metrics)} | ${f2(unlearned.avgGap)} | ${unlearned.seconds.toFixed(1)} |`;
    assert.ok(md.includes(retrainLine), `no Retrain line ${retrainLine} in\n${md}`);
    assert.ok(md.includes(runLine), `no run line ${runLine} in\n${md}`);
    assert.ok(md.indexOf(retrainLine) < md.indexOf(runLine), 'Retrain is not first');
    assert.ok(md.includes(`| ${result.runId} | SalUn | built-in MLP | random 10% (seed 1) | finished |`), md);
    const csv = fs.readFileSync(files.csv, 'utf8').split('\r\n');
    const n4 = (x: number): string => String(Number(x.toFixed(4)));
    assert.strictEqual(csv[0], 'Model,Run,Ratio,UA,RA,TA,MIA,Avg. Gap,Time (s)');
    assert.strictEqual(
      csv[2],
      [
        'SalUn',
        result.runId,
        n4(summary.ratio),
        ...[unlearned.metrics.UA, unlearned.metrics.RA, unlearned.metrics.TA, unlearned.metrics.MIA].map(n4),
        n4(unlearned.avgGap),
        n4(unlearned.seconds),
      ].join(','),
    );

    // Export Run Report, scripted: the configuration, the final table, the epoch and the saliency mask.
    const reportFile = path.join(ws, '.salun', 'study', `${result.runId}-report.md`);
    const written = await withTimeout(
      'salun.exportRunReport',
      60_000,
      vscode.commands.executeCommand<string | undefined>('salun.exportRunReport', { runId: result.runId, outFile: reportFile }),
    );
    assert.strictEqual(written, reportFile);
    const report = fs.readFileSync(reportFile, 'utf8');
    for (const text of [
      `# SalUn Lab run report: ${result.runId}`,
      '**SalUn** on the bundled Fashion-MNIST subset, forgetting random 10% (seed 1). State: finished',
      '| Model | built-in MLP',
      '| Unlearning | 1 epoch, lr 0.005',
      `| Backend | ${result.backend.name}`,
      `| Retrain | ${metricCells(retrain.metrics)} |`,
      `| SalUn | ${metricCells(unlearned.metrics)} | ${f2(unlearned.avgGap)} |`,
      `| 1 | ${metricCells(epochs[0])} |`,
      `Ratio ${summary.ratio.toFixed(3)}, γ = ${summary.gamma.toExponential(3)}: ${summary.salientWeights} of ${summary.totalWeights} weights salient`,
      `| ${summary.layers[0].name} | ${summary.layers[0].shape.join('×')} | ${summary.layers[0].salient} | ${summary.layers[0].count} |`,
    ])
      assert.ok(report.includes(text), `the report lacks "${text}":\n${report}`);
    log(`      study: ${result.runId}, gap ${unlearned.avgGap.toFixed(2)}; comparison and report written`);
  }).timeout(JOB_TIMEOUT_MS + 120_000);

  it('Open Charts in Editor opens the panel as one editor tab (a second call reveals it, no second tab; after closing it, a new one)', async () => {
    const chartTabs = (): vscode.Tab[] =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('salun.charts'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('salun.openChartsInEditor');
    const [tab] = await until('a SalUn Charts editor tab', 30_000, () => (chartTabs().length ? chartTabs() : undefined));
    assert.strictEqual(tab.label, 'SalUn Charts');
    await vscode.commands.executeCommand('salun.openChartsInEditor');
    await sleep(1000);
    assert.strictEqual(chartTabs().length, 1, 'a second call opened a second tab');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until('the charts tab to close', 10_000, () => chartTabs().length === 0);
    // The closed tab is forgotten: the command opens a new one (it once kept the disposed panel and
    // threw "Webview is disposed", and every later message to the panels stopped at it).
    await vscode.commands.executeCommand('salun.openChartsInEditor');
    await until('a new SalUn Charts editor tab', 30_000, () => (chartTabs().length === 1 ? chartTabs() : undefined));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until('the new charts tab to close', 10_000, () => chartTabs().length === 0);
  }).timeout(90_000);

  it("Export Run Report of a generation run exports its job's report, the grids' links resolving from the copy", async () => {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the host suite needs a workspace folder');
    // A generation run folder as its job leaves one (the job itself is covered by the unit suite's tiny run).
    const dir = path.join(ws, '.salun', 'runs', '20000102-000000-gen-forget7');
    fs.mkdirSync(path.join(dir, 'samples'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ task: 'generation', kind: 'generation', forgetClass: 7, methods: ['salun'] }));
    fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ state: 'finished', startedAt: '2000-01-02T00:00:00Z', endedAt: '2000-01-02T00:01:00Z' }));
    fs.writeFileSync(
      path.join(dir, 'report.md'),
      '# Generation unlearning: forget class 7 (Sneaker)\n\n| Model | UA |\n| --- | ---: |\n| SalUn | 96.0 |\n\n![SalUn](samples/salun.png)\n',
    );
    fs.writeFileSync(path.join(dir, 'samples', 'salun.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
    const out = path.join(ws, '.salun', 'study', 'gen-report.md');
    const written = await withTimeout(
      'salun.exportRunReport',
      30_000,
      vscode.commands.executeCommand<string | undefined>('salun.exportRunReport', { runId: '20000102-000000-gen-forget7', outFile: out }),
    );
    assert.strictEqual(written, out);
    const md = fs.readFileSync(out, 'utf8');
    assert.ok(md.startsWith('# Generation unlearning: forget class 7 (Sneaker)') && md.includes('| SalUn | 96.0 |'), md);
    const link = /!\[SalUn\]\(([^)]+)\)/.exec(md)?.[1];
    assert.strictEqual(link, '../runs/20000102-000000-gen-forget7/samples/salun.png');
    assert.ok(fs.existsSync(path.resolve(path.dirname(out), link)), `${link} does not resolve from ${out}`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.strictEqual(await vscode.commands.executeCommand('salun.deleteRun', dir, { confirm: false }), true);
  }).timeout(60_000);

  it('a *.salun.json is checked against the shipped schema in the editor, and Run This Config runs it', async () => {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the host suite needs a workspace folder');
    const minimal = path.join(ws, 'minimal.salun.json');
    const wrong = path.join(ws, 'wrong.salun.json');
    fs.writeFileSync(minimal, '{ "method": "rl" }\n');
    fs.writeFileSync(wrong, '{ "method": "not-a-method" }\n');
    for (const f of [wrong, minimal]) await vscode.window.showTextDocument(vscode.Uri.file(f), { preview: false });
    // The wrong file gets a diagnostic: the schema is wired (so the minimal file's silence means something).
    const complaint = await until('a schema diagnostic on wrong.salun.json', 60_000, () =>
      vscode.languages.getDiagnostics(vscode.Uri.file(wrong)).find((d) => /not-a-method|Value is not accepted|enum/i.test(d.message)),
    );
    log(`      wrong.salun.json: "${complaint.message.split('\n')[0]}"`);
    assert.deepStrictEqual(
      vscode.languages.getDiagnostics(vscode.Uri.file(minimal)).map((d) => d.message),
      [],
      'the minimal config has schema errors',
    );

    // Run This Config on a small one: the MLP, one epoch each, RL.
    const recipe = { epochs: 1, lr: 0.05, schedule: 'constant', momentum: 0.9, weightDecay: 5e-4, batchSize: 128 };
    const small = path.join(ws, 'small.salun.json');
    fs.writeFileSync(
      small,
      JSON.stringify({ method: 'rl', model: { kind: 'builtin', architecture: 'mlp' }, train: recipe, unlearn: { ...recipe, lr: 0.01 } }, null, 2),
    );
    const { outcome } = await runJobCommand(api, 'salun.runConfigFile', undefined, vscode.Uri.file(small));
    assert.strictEqual(outcome.status, 'finished', describeOutcome(outcome));
    const unlearned = outcome.result?.rows.find((r) => r.role === 'unlearned');
    assert.strictEqual(unlearned?.method, 'rl');
    const recorded = JSON.parse(fs.readFileSync(path.join(outcome.result!.runDir, 'config.json'), 'utf8')) as { method: string; unlearn: { lr: number } };
    assert.deepStrictEqual([recorded.method, recorded.unlearn.lr], ['rl', 0.01]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }).timeout(JOB_TIMEOUT_MS + 90_000);

  it('Run This Config runs a generation config ("task": "generation") as a generation job, and the panel is sent its grids', async () => {
    const ext = vscode.extensions.getExtension<SalunApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the host suite needs a workspace folder');
    const data = path.join(ws, 'tiny-gen-idx');
    writeTinyIdx(path.join(ext.extensionPath, 'data', 'fashion-mnist-subset'), data, { train: 200, test: 60 });
    // The smallest generation job that runs every step (test/unit/generationJobFixtures.ts's sizes).
    const file = path.join(ws, 'tiny-gen.salun.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        task: 'generation',
        data: { kind: 'idx', dir: data },
        forgetClass: 7,
        methods: ['salun'],
        unet: { widths: [8, 8], groups: 4, embedDim: 16 },
        train: { iterations: 3, batchSize: 16, lr: 1e-3 },
        unlearn: { iterations: 2, batchSize: 8 },
        sampling: { ddimSteps: 2, guidance: 1, samplesPerClass: 2, gridColumns: 2, every: 1 },
        classifier: { architecture: 'mlp', train: { epochs: 1, lr: 0.05, schedule: 'constant', momentum: 0.9, weightDecay: 0, batchSize: 64 } },
        backend: 'cpu',
      }),
    );
    await vscode.commands.executeCommand('salun.openPanel');
    await until('the panel to be ready', 120_000, () => api.panelMessages().length > 0);
    const from = api.panelMessages().length;
    const { outcome } = await runJobCommand(api, 'salun.runConfigFile', undefined, vscode.Uri.file(file));
    assert.strictEqual(outcome.status, 'finished', describeOutcome(outcome));
    const started = outcome.events.find((e): e is Extract<JobEvent, { type: 'started' }> => e.type === 'started');
    assert.strictEqual(started?.kind, 'generation');
    const runDir = outcome.result!.runDir;
    for (const f of ['samples/original.png', 'samples/salun.png', 'generation-metrics.json', 'report.md'])
      assert.ok(fs.existsSync(path.join(runDir, f)), `${f} missing in ${runDir}`);
    await until("the panel to be sent SalUn's final grid", 60_000, () =>
      panelEvents(api, from).find((e) => e.type === 'samples' && e.stage === 'salun' && e.iteration === undefined),
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }).timeout(JOB_TIMEOUT_MS + 60_000);

  // Run on the installed .vsix too (scripts/test.mjs, .ci/run): the packaged 0.1.0 lacked models/gen-demo
  // and trained θo for 1 h 46 min unasked. The demo must read the θo the extension ships, checksum
  // checked, and never enter θo's training; the run records the extension's own version.
  it('Generation Unlearning Demo: Escape starts nothing; a scripted start reads the shipped θo (SHA-256 verified, no θo training), cancelled then', async () => {
    assert.strictEqual(await escapeFlow('salun.runGenerationDemo', 30_000), undefined);
    assert.strictEqual(await api.waitForJob(), undefined, 'a job was started by a cancelled flow');

    const ext = vscode.extensions.getExtension<SalunApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    const shipped = path.join(ext.extensionPath, 'models', 'gen-demo');
    for (const f of ['model.json', 'weights.bin', 'meta.json']) assert.ok(fs.existsSync(path.join(shipped, f)), `the extension lacks ${path.join(shipped, f)}`);
    const meta = JSON.parse(fs.readFileSync(path.join(shipped, 'meta.json'), 'utf8')) as { sha256: string };
    const readLine = `θo read from ${path.join(shipped, 'model.json')} (SHA-256 verified)`;
    // The panel records only what it delivered to a visible, ready webview.
    await vscode.commands.executeCommand('salun.openPanel');
    await until('the panel to be ready', 120_000, () => api.panelMessages().length > 0);
    const from = api.panelMessages().length;
    const { outcome } = await runJobCommand(
      api,
      'salun.runGenerationDemo',
      async () => {
        await until('the job to say it read the shipped θo', 180_000, () =>
          panelEvents(api, from).some((e) => (e.type === 'log' && e.message === readLine) || e.type === 'failed'),
        );
        assert.strictEqual(await vscode.commands.executeCommand('salun.cancelJob'), true);
      },
      { forgetClass: 2, recipe: 'authors' },
    );
    assert.strictEqual(outcome.status, 'cancelled', describeOutcome(outcome));
    const events = outcome.events;
    const read = events.findIndex((e) => e.type === 'log' && e.message === readLine);
    assert.ok(read >= 0, `no "${readLine}" event; ${describeOutcome(outcome)}`);
    const phases = events.filter((e): e is Extract<JobEvent, { type: 'phase' }> => e.type === 'phase');
    assert.deepStrictEqual(
      events.slice(0, read).filter((e) => e.type === 'phase' && e.phase === 'train-original'),
      [],
      'a training phase before θo was read',
    );
    assert.deepStrictEqual(
      phases.filter((e) => e.label.startsWith('θo')),
      [],
      'θo was trained, not read',
    );
    const started = events.find((e): e is Extract<JobEvent, { type: 'started' }> => e.type === 'started');
    assert.strictEqual(started?.kind, 'generation');
    const recorded = JSON.parse(fs.readFileSync(path.join(started.runDir, 'config.json'), 'utf8')) as {
      forgetClass: number;
      original: { kind: string; path?: string; sha256?: string };
      unlearn: { iterations: number; batchSize: number };
      versions?: { salunLab?: string };
    };
    assert.deepStrictEqual([recorded.forgetClass, recorded.unlearn.iterations, recorded.unlearn.batchSize], [2, 1000, 128]);
    assert.deepStrictEqual(
      recorded.original,
      { kind: 'file', path: path.join(shipped, 'model.json'), sha256: meta.sha256 },
      'θo is the weights the extension ships',
    );
    // An installed copy carries no sources; it records its package's version, a checkout build `+dev` after it.
    const version = (ext.packageJSON as { version: string }).version;
    const installed = !fs.existsSync(path.join(ext.extensionPath, 'src'));
    assert.strictEqual(recorded.versions?.salunLab, installed ? version : `${version}+dev`);
    log(`      θo read from the ${installed ? 'installed' : 'checkout'} extension; versions.salunLab ${recorded.versions?.salunLab}`);
    assert.strictEqual(await vscode.commands.executeCommand('salun.deleteRun', started.runDir, { confirm: false }), true);
  }).timeout(6 * 60_000);
});

describe('Export Unlearned Model and Export Audit Report in the extension host', () => {
  let api: SalunApi;

  before(async () => {
    api = await activateSalun();
  });

  it('Export Unlearned Model, scripted, writes the run’s model.onnx and tfjs folder byte for byte', async () => {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the host suite needs a workspace folder');
    // A run folder as an unlearning run from a tfjs model leaves one: no model.safetensors.
    const runId = '20000103-000000-salun';
    const dir = path.join(ws, '.salun', 'runs', runId);
    const model = path.join(dir, 'model');
    fs.mkdirSync(model, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ kind: 'run', method: 'salun', model: { kind: 'file', path: 'my/model.json' } }));
    fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ state: 'finished', startedAt: '2000-01-03T00:00:00Z', endedAt: '2000-01-03T00:01:00Z' }));
    const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256));
    fs.writeFileSync(path.join(model, 'model.onnx'), bytes(4096, 7));
    fs.writeFileSync(path.join(model, 'weights.bin'), bytes(2048, 3));
    fs.writeFileSync(
      path.join(model, 'model.json'),
      JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential' }, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] }),
    );
    // The Runs view marks it as a run with a model, which the context menu's entry needs.
    const entry = await until(`the Runs tree to list ${runId}`, 30_000, () => api.runsTree().find((e) => e.runId === runId));
    assert.strictEqual(entry.contextValue, 'salun.run.finished.model');
    type Written = { format: string; out: string; files: string[]; bytes: number };
    const run = (args: object): Promise<Written | undefined> =>
      withTimeout('salun.exportModel', 30_000, vscode.commands.executeCommand<Written | undefined>('salun.exportModel', args));

    const onnxOut = path.join(ws, '.salun', 'exports', `${runId}.onnx`);
    const onnx = await run({ runId, format: 'onnx', outFile: onnxOut });
    assert.deepStrictEqual(onnx, { format: 'onnx', out: onnxOut, files: [onnxOut], bytes: 4096 });
    assert.ok(fs.readFileSync(onnxOut).equals(fs.readFileSync(path.join(model, 'model.onnx'))), 'model.onnx differs');

    // Relative outFiles are relative to the workspace folder.
    const tfjs = await run({ runId, format: 'tfjs', outFile: '.salun/exports/tfjs' });
    const tfDir = path.join(ws, '.salun', 'exports', 'tfjs');
    assert.deepStrictEqual(tfjs?.files, [path.join(tfDir, 'model.json'), path.join(tfDir, 'weights.bin')]);
    for (const f of ['model.json', 'weights.bin']) assert.ok(fs.readFileSync(path.join(tfDir, f)).equals(fs.readFileSync(path.join(model, f))), `${f} differs`);

    // What the run lacks is refused with the reason; a script may not write outside .salun.
    await assert.rejects(
      Promise.resolve(run({ runId, format: 'safetensors', outFile: '.salun/exports/x.safetensors' })),
      /no PyTorch twin.*Export ONNX instead/,
    );
    await assert.rejects(Promise.resolve(run({ runId, format: 'onnx', outFile: path.join(ws, 'outside.onnx') })), /refused outFile/);
    assert.ok(!fs.existsSync(path.join(ws, 'outside.onnx')) && !fs.existsSync(path.join(ws, '.salun', 'exports', 'x.safetensors')));

    // From the palette it asks which run first; Escape ends it with nothing written.
    assert.strictEqual(await escapeFlow('salun.exportModel', 5_000), undefined);
    fs.rmSync(path.join(ws, '.salun', 'exports'), { recursive: true, force: true });
    assert.strictEqual(await vscode.commands.executeCommand('salun.deleteRun', dir, { confirm: false }), true);
  }).timeout(60_000);

  it('Export Audit Report, scripted, writes audit.json, audit.md and a SHA256SUMS whose every line checks; outside the workspace is refused', async () => {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the host suite needs a workspace folder');
    // A finished run as the job leaves one: config.json with the forget set and θo's file as the run read it, and model/.
    const runId = '20000104-000000-salun';
    const dir = path.join(ws, '.salun', 'runs', runId);
    const thetaDir = fs.mkdtempSync(path.join(ws, 'audit-theta-'));
    const theta = path.join(thetaDir, 'net.onnx');
    const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 17 + seed) % 256));
    fs.writeFileSync(theta, bytes(1024, 5));
    const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    fs.mkdirSync(path.join(dir, 'model'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'model', 'model.onnx'), bytes(2048, 9));
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        kind: 'run',
        method: 'salun',
        model: { kind: 'onnx', path: theta },
        forget: { kind: 'random', fraction: 0.1, seed: 1 },
        resolved: { forgetSize: 6, retainSize: 54, originalFiles: [{ path: theta, bytes: 1024, sha256: sha256(theta) }] },
      }),
    );
    fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ state: 'finished', startedAt: '2000-01-04T00:00:00Z', endedAt: '2000-01-04T00:01:00Z' }));
    const entry = await until(`the Runs tree to list ${runId}`, 30_000, () => api.runsTree().find((e) => e.runId === runId));
    assert.strictEqual(entry.contextValue, 'salun.run.finished.model', 'the context menu entry would not show on this run');
    type Written = { dir: string; files: string[]; report: { format: string } };
    const run = (args: object): Promise<Written | undefined> =>
      withTimeout('salun.exportAuditReport', 30_000, vscode.commands.executeCommand<Written | undefined>('salun.exportAuditReport', args));

    const out = path.join(dir, 'audit-report');
    const written = await run({ runId });
    assert.strictEqual(written?.dir, out);
    assert.deepStrictEqual(
      written.files,
      ['audit.json', 'audit.md', 'SHA256SUMS'].map((f) => path.join(out, f)),
    );
    for (const f of written.files) assert.ok(fs.existsSync(f), `${f} was not written`);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'audit.json'), 'utf8')) as {
      format: string;
      modelBefore: { files: { path: string; now: string }[] };
    };
    assert.strictEqual(json.format, 'salun-audit-report');
    assert.deepStrictEqual(json.modelBefore.files, [{ ...json.modelBefore.files[0], path: theta, now: 'unchanged' }]);
    // `sha256sum -c SHA256SUMS` in the report folder: every line's file, by its path from there, has that digest.
    const lines = fs.readFileSync(path.join(out, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
    const named = lines.map((line) => {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      assert.ok(m, `not a sha256sum line: ${line}`);
      assert.strictEqual(sha256(path.resolve(out, m[2])), m[1], `SHA256SUMS: ${m[2]}`);
      return path.resolve(out, m[2]);
    });
    for (const f of [theta, path.join(dir, 'model', 'model.onnx'), path.join(dir, 'config.json'), path.join(out, 'audit.json'), path.join(out, 'audit.md')])
      assert.ok(named.includes(f), `SHA256SUMS does not list ${f}`);

    // A script may not write outside the workspace's .salun: refused, nothing written.
    await assert.rejects(Promise.resolve(run({ runId, outDir: '../outside' })), /salun\.exportAuditReport: refused outDir/);
    assert.ok(!fs.existsSync(path.resolve(ws, '..', 'outside')));

    // From the palette it asks which run first; Escape ends it with nothing written.
    const before = fs.readdirSync(dir).sort();
    const report = fs.readFileSync(path.join(out, 'audit.json'), 'utf8');
    assert.strictEqual(await escapeFlow('salun.exportAuditReport', 5_000), undefined);
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), before);
    assert.strictEqual(fs.readFileSync(path.join(out, 'audit.json'), 'utf8'), report);
    fs.rmSync(thetaDir, { recursive: true, force: true });
    assert.strictEqual(await vscode.commands.executeCommand('salun.deleteRun', dir, { confirm: false }), true);
  }).timeout(60_000);
});

// Other people's models through the editor: the New Run flow's scripted answers on an ONNX graph
// and a safetensors checkpoint (each job cancelled once it has read the model and moved on), and
// the explorer's menu entries on an .onnx file (run to the end: the tiny graph is seconds of work).
describe("Other people's models: New Run and the explorer on .onnx and .safetensors files", () => {
  let api: SalunApi;
  let dir: string;
  /** The host suite's fixture (test/fixtures/models/make.py): Fashion-MNIST's shape, 98 weights. */
  const TINY_ONNX = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'models', 'tiny.onnx');
  const TINY_ONNX_WEIGHTS = 98;

  before(async () => {
    api = await activateSalun();
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the host suite needs a workspace folder');
    dir = fs.mkdtempSync(path.join(ws, 'other-models-'));
  });

  after(async () => {
    await endLastJob(api);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A seeded MLP state_dict for 28×28×1 inputs and 10 classes, in PyTorch's names and layouts (the twin's). */
  function writeMlpSafetensors(file: string): void {
    let s = 1;
    const random = (): number => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.1;
    const dict: StateDict = new Map();
    for (const [name, shape] of [
      ['fc1.weight', [256, 784]],
      ['fc1.bias', [256]],
      ['fc2.weight', [128, 256]],
      ['fc2.bias', [128]],
      ['logits.weight', [10, 128]],
      ['logits.bias', [10]],
    ] as const) {
      const data = new Float32Array(shape.reduce((a: number, b: number) => a * b, 1)).map(random);
      dict.set(name, { dtype: 'F32', shape: [...shape], data });
    }
    writeSafetensors(file, dict);
  }

  /**
   * New Run with every answer given: the job starts, reads the model (its load phase, then the next
   * phase), and is cancelled there. Returns the run folder's config.json.
   */
  async function newRunUntilModelRead(model: Record<string, unknown>, normalize?: unknown): Promise<Record<string, unknown>> {
    const answers = {
      model,
      data: { kind: 'default' },
      forget: { kind: 'class', classIndex: 3 },
      method: 'salun',
      epochs: 1,
      lr: 0.005,
      ratio: 0.5,
      ...(normalize ? { normalize } : {}),
    };
    // The panel records only what it delivered to a visible, ready webview.
    await vscode.commands.executeCommand('salun.openPanel');
    await until('the panel to be ready', 120_000, () => api.panelMessages().length > 0);
    const from = api.panelMessages().length;
    const loading = `Loading ${String(model.path)}`;
    const { outcome } = await runJobCommand(
      api,
      'salun.newRun',
      async () => {
        await until(`the job to read ${String(model.path)} and go on`, 180_000, () => {
          const events = panelEvents(api, from);
          if (events.some((e) => e.type === 'failed')) return true;
          const load = events.findIndex((e) => e.type === 'phase' && e.label === loading);
          return load >= 0 && events.slice(load + 1).some((e) => e.type === 'phase' && e.phase !== 'load');
        });
        await vscode.commands.executeCommand('salun.cancelJob');
      },
      { answers },
    );
    // A tiny job may end before the cancel reaches it; a failure is never fine.
    assert.ok(outcome.status === 'cancelled' || outcome.status === 'finished', describeOutcome(outcome));
    const started = outcome.events.find((e): e is Extract<JobEvent, { type: 'started' }> => e.type === 'started');
    assert.ok(started, 'no started event');
    assert.ok(
      outcome.events.some((e) => e.type === 'phase' && e.label === loading),
      `the job never loaded ${String(model.path)}: ${describeOutcome(outcome)}`,
    );
    const config = JSON.parse(fs.readFileSync(path.join(started.runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.strictEqual(await vscode.commands.executeCommand('salun.deleteRun', started.runDir, { confirm: false }), true);
    return config;
  }

  it('New Run (scripted answers) on an .onnx file writes its run config with a custom mean/std, and the job reads the graph', async () => {
    const onnx = path.join(dir, 'tiny.onnx');
    fs.copyFileSync(TINY_ONNX, onnx);
    const normalize = { mean: [0.286], std: [0.353] };
    const config = await newRunUntilModelRead({ kind: 'onnx', path: onnx }, normalize);
    assert.deepStrictEqual(config.model, { kind: 'onnx', path: onnx });
    assert.deepStrictEqual(config.data, { kind: 'default', normalize });
    assert.strictEqual(config.method, 'salun');
  }).timeout(6 * 60_000);

  it('New Run (scripted answers) on a .safetensors checkpoint writes its run config with the architecture, and the job loads the state_dict', async () => {
    const checkpoint = path.join(dir, 'mlp.safetensors');
    writeMlpSafetensors(checkpoint);
    const config = await newRunUntilModelRead({ kind: 'pytorch', path: checkpoint, architecture: 'mlp' });
    assert.deepStrictEqual(config.model, { kind: 'pytorch', path: checkpoint, architecture: 'mlp' });
    assert.deepStrictEqual(config.data, { kind: 'default' });
  }).timeout(6 * 60_000);

  it("the explorer's Compute Saliency and Evaluate on an .onnx Uri run on the graph itself", async () => {
    const onnx = path.join(dir, 'explorer.onnx');
    fs.copyFileSync(TINY_ONNX, onnx);
    const uri = vscode.Uri.file(onnx);

    // Compute Saliency asks nothing: the map is of the graph's own 98 weights, not a built-in network's.
    const { outcome: saliency } = await runJobCommand(api, 'salun.computeSaliencyForModel', undefined, uri);
    assert.strictEqual(saliency.status, 'finished', describeOutcome(saliency));
    const summary = saliency.events.find((e): e is Extract<JobEvent, { type: 'saliency' }> => e.type === 'saliency')?.summary;
    assert.strictEqual(summary?.totalWeights, TINY_ONNX_WEIGHTS, `saliency of ${summary?.totalWeights} weights`);
    const saliencyDir = saliency.events.find((e): e is Extract<JobEvent, { type: 'started' }> => e.type === 'started')?.runDir;
    assert.ok(saliencyDir);
    const saliencyConfig = JSON.parse(fs.readFileSync(path.join(saliencyDir, 'config.json'), 'utf8')) as { model: unknown };
    assert.deepStrictEqual(saliencyConfig.model, { kind: 'onnx', path: onnx });

    // Evaluate asks one question (metrics only, or also the gap to Retrain): the first, metrics only.
    let settled = false;
    const evaluation = Promise.resolve(vscode.commands.executeCommand<JobOutcome | undefined>('salun.evaluateModel', uri)).finally(() => {
      settled = true;
    });
    const acceptBy = Date.now() + 60_000;
    while (!settled && Date.now() < acceptBy) {
      const waiting = await Promise.race([api.waitForJob(), sleep(50).then(() => 'pending' as const)]);
      if (waiting === 'pending') break;
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await sleep(500);
    }
    const evaluated = await withTimeout('salun.evaluateModel', JOB_TIMEOUT_MS, evaluation);
    assert.ok(evaluated, 'evaluateModel started no job');
    assert.strictEqual(evaluated.status, 'finished', describeOutcome(evaluated));
    assert.deepStrictEqual(
      evaluated.result?.rows.map((r) => r.role),
      ['unlearned'],
    );
    const evalDir = evaluated.result?.runDir;
    assert.ok(evalDir);
    const evalConfig = JSON.parse(fs.readFileSync(path.join(evalDir, 'config.json'), 'utf8')) as { model: unknown };
    assert.deepStrictEqual(evalConfig.model, { kind: 'onnx', path: onnx });
    for (const d of [saliencyDir, evalDir]) assert.strictEqual(await vscode.commands.executeCommand('salun.deleteRun', d, { confirm: false }), true);
  }).timeout(8 * 60_000);
});

// Last in the file: its run stays in the workspace as the panel's last job, and the workbench e2e
// (test/workbench/) then checks the panel against that folder. A suite after it that runs a job and
// deletes its folder would leave the panel showing a run that is gone.
describe('webgpu and the last job the workbench e2e reads', () => {
  let api: SalunApi;

  before(async () => {
    api = await activateSalun();
  });

  after(async () => {
    await endLastJob(api);
  });

  // scripts/host-test.mjs gives code-server SwiftShader (VK_ICD_FILENAMES): Dawn's only adapter is
  // then a software one, which `auto` refuses, so the backend is forced. No adapter, no dawn.node or
  // a tfjs backend that does not start fails this test: nothing here is skipped.
  it('webgpu: the installed extension runs a job on Dawn (forced) and reports the GPU adapter', async () => {
    const ext = vscode.extensions.getExtension<SalunApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    const dawn = path.join(ext.extensionPath, 'dist', 'dawn', dawnPlatform(), 'dawn.node');
    assert.ok(fs.existsSync(dawn), `the extension carries no Dawn binary for ${dawnPlatform()} (${dawn})`);
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the host suite needs a workspace folder');
    const data = path.join(ws, 'tiny-idx');
    writeTinyIdx(path.join(ext.extensionPath, 'data', 'fashion-mnist-subset'), data, { train: 400, test: 200 });
    const template = path.join(ws, '.salun', 'runs', '20000101-000000-webgpu');
    fs.mkdirSync(template, { recursive: true });
    const recipe = { epochs: 1, lr: 0.05, schedule: 'cosine', momentum: 0.9, weightDecay: 5e-4, batchSize: 64 };
    fs.writeFileSync(
      path.join(template, 'config.json'),
      JSON.stringify({
        data: { kind: 'idx', dir: data },
        model: { kind: 'builtin', architecture: 'mlp' },
        forget: { kind: 'random', fraction: 0.1, seed: 1 },
        method: 'salun',
        saliency: { ratio: 0.5 },
        train: recipe,
        unlearn: { ...recipe, lr: 0.005, schedule: 'constant' },
        retrain: true,
        seed: 1,
        backend: 'webgpu',
        kind: 'run',
      }),
    );

    // The panel records only what it delivered to a visible, ready webview.
    await vscode.commands.executeCommand('salun.openPanel');
    await until('the panel to be ready', 120_000, () => api.panelMessages().length > 0);
    const from = api.panelMessages().length;
    const t0 = Date.now();
    const { outcome } = await runJobCommand(api, 'salun.rerunRun', undefined, template);
    log(`      webgpu job: ${outcome.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.strictEqual(outcome.status, 'finished', describeOutcome(outcome));
    const backend = outcome.result?.backend;
    assert.strictEqual(backend?.name, 'webgpu', `the job ran on ${JSON.stringify(backend)}`);
    const adapter = backend.adapter;
    assert.ok(adapter && (adapter.description || adapter.device), `no GPU adapter recorded: ${JSON.stringify(backend)}`);
    log(
      `      adapter: ${adapter.description || adapter.device} (vendor ${adapter.vendor}, architecture ${adapter.architecture}${adapter.software ? ', software' : ''})`,
    );
    const rows = outcome.result?.rows ?? [];
    assert.deepStrictEqual(rows.map((r) => r.role).sort(), ['original', 'retrain', 'unlearned']);
    for (const r of rows)
      for (const v of Object.values(r.metrics)) assert.ok(Number.isFinite(v) && v >= 0 && v <= 100, `${r.role}: ${JSON.stringify(r.metrics)}`);

    // The panel was told the adapter, and the run folder's report names it.
    await vscode.commands.executeCommand('salun.openPanel');
    const started = await until("the panel to be sent the webgpu job's start", 60_000, () =>
      panelEvents(api, from).find((e): e is Extract<JobEvent, { type: 'started' }> => e.type === 'started' && e.runId === outcome.result?.runId),
    );
    assert.deepStrictEqual(started.backend.adapter, adapter);
    const runDir = outcome.result!.runDir;
    const report = fs.readFileSync(path.join(runDir, 'report.md'), 'utf8');
    assert.ok(report.includes(`GPU adapter: ${adapter.description || adapter.device}`), report);
    // The run itself stays: it is the panel's last job, which the workbench e2e then checks on disk.
    await vscode.commands.executeCommand('salun.deleteRun', template, { confirm: false });
  }).timeout(JOB_TIMEOUT_MS + 60_000);
});
