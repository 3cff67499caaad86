// The New Unlearning Run flow itself (newRunFlow.ts), driven in plain Node through a fake `vscode`
// whose quick inputs behave as VS Code's: Enter takes the highlighted item, and new items move the
// highlight to the first one. A user who presses Enter through the steps gets what was remembered.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeHost, installFakeVscodeHost, resetFakeHost, type FakeQuickInput } from './fakeVscodeHost';
import type { NewRunAnswers } from '../../src/extension/newRunAnswers';

installFakeVscodeHost();

type Flow = typeof import('../../src/extension/newRunFlow');

class Memory {
  readonly store = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.store.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    this.store.set(key, JSON.parse(JSON.stringify(value)) as unknown);
    return Promise.resolve();
  }
  keys(): readonly string[] {
    return [...this.store.keys()];
  }
}

describe('New Unlearning Run: the flow', () => {
  let flow: Flow;
  let dir: string;

  before(() => {
    // Required only now: the fake must be in place before the flow loads `vscode`.
    flow = require('../../src/extension/newRunFlow') as Flow;
    dir = mkdtempSync(join(tmpdir(), 'salun-flow-'));
    writeFileSync(join(dir, 'model.json'), '{}');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    resetFakeHost();
    fakeHost.workspaceFolders = [dir];
  });

  function remembered(over: Partial<NewRunAnswers> & Record<string, unknown>): Memory {
    const memory = new Memory();
    const last: NewRunAnswers = {
      model: { kind: 'file', path: join(dir, 'model.json') },
      data: { kind: 'default' },
      forget: { kind: 'class', classIndex: 7 },
      method: 'salun',
      epochs: 3,
      lr: 0.01,
      ratio: 0.4,
    };
    memory.store.set(flow.NEW_RUN_MEMORY_KEY, { ...last, ...over });
    return memory;
  }

  it('keeps the remembered model.json highlighted after the workspace search rebuilds the list; Enter takes it', async () => {
    const modelPath = join(dir, 'model.json');
    // The search finds the same file (and another) after the step has shown.
    fakeHost.foundFiles = [join(dir, 'other', 'model.json'), modelPath];
    fakeHost.findDelayMs = 30;
    fakeHost.answerDelayMs = 60;
    const memory = remembered({});
    const answers = await flow.askNewRun(memory);
    const modelStep = fakeHost.shown[0];
    assert.equal(
      modelStep.items.some((i) => i.label.includes('other')),
      true,
      'the search results were not shown',
    );
    assert.match(modelStep.activeItems[0]?.label ?? '', /model\.json/, 'the highlight moved off the remembered model');
    assert.deepEqual(answers?.model, { kind: 'file', path: modelPath }, 'Enter through the steps did not keep the remembered model');
    assert.deepEqual(answers?.forget, { kind: 'class', classIndex: 7 });
    assert.equal(answers?.method, 'salun');
  });

  it("says each step in a placeholder that fits the quick pick, and Start does not train the user's own model", async () => {
    fakeHost.foundFiles = [join(dir, 'model.json')];
    await flow.askNewRun(remembered({}));
    const placeholders = fakeHost.shown.map((i) => i.placeholder).filter((p): p is string => p !== undefined);
    assert.ok(placeholders.length >= 4, placeholders.join(' | '));
    // About 60 characters show in a quick pick's input at a common width; a longer one is cut mid-word.
    for (const p of placeholders) assert.ok(p.length <= 60, `cut off at the editor's width: "${p}" (${p.length})`);
    const summary = fakeHost.shown[fakeHost.shown.length - 1];
    const start = summary.items.find((i) => i.label.includes('Start')) as { description?: string } | undefined;
    assert.doesNotMatch(start?.description ?? '', /Original/);
    assert.match(start?.description ?? '', /your model/);
  });

  it("keeps the user's highlight when the search ends while they move through the list", async () => {
    fakeHost.foundFiles = [join(dir, 'model.json')];
    fakeHost.findDelayMs = 40;
    fakeHost.answer = (input: FakeQuickInput): void => {
      if (input.step !== 1) {
        input.pressEnter();
        return;
      }
      // The user moves to the built-in MLP before the search has finished.
      input.activeItems = input.items.filter((i) => i.label.includes('Built-in MLP'));
      setTimeout(() => input.pressEnter(), 80);
    };
    const answers = await flow.askNewRun(remembered({}));
    assert.deepEqual(answers?.model, { kind: 'builtin', architecture: 'mlp' });
  });

  it('prefills the ratio "Apply to next run" wrote to salun.saliencyRatio after the last run', async () => {
    // Last run: ratio 0.4 typed while the setting was 0.5; then the panel applied 0.165.
    const memory = remembered({ ratio: 0.4, settingsSeen: { ratio: 0.5 } });
    const answers = await flow.askNewRun(memory, {}, { ratio: 0.165 });
    const ratioBox = fakeHost.shown.find((i) => i.type === 'input' && /mask ratio/.test(i.prompt ?? ''));
    assert.equal(ratioBox?.value, '0.165');
    assert.match(ratioBox?.prompt ?? '', /salun\.saliencyRatio: 0\.165/);
    assert.equal(answers?.ratio, 0.165);
    // The setting is remembered with the answers: unchanged next time, the typed answer stands.
    const again = await flow.askNewRun(remembered({ ratio: 0.3, settingsSeen: { ratio: 0.165 } }), {}, { ratio: 0.165 });
    assert.equal(again?.ratio, 0.3);
    assert.deepEqual(memory.get<Record<string, unknown>>(flow.NEW_RUN_MEMORY_KEY)?.settingsSeen, { ratio: 0.165 });
  });

  it('takes salun.data as the data answer when nothing was remembered', async () => {
    const memory = new Memory();
    const data = { kind: 'idx' as const, dir: join(dir, 'idx') };
    fakeHost.answer = (input: FakeQuickInput): void => {
      // Escape at the forget step: only the data step's highlight matters here.
      if (input.step === 3) input.pressEscape();
      else input.pressEnter();
    };
    await flow.askNewRun(memory, {}, { data });
    const dataStep = fakeHost.shown.find((i) => i.step === 2);
    assert.match(dataStep?.activeItems[0]?.label ?? '', /idx$/);
  });
  it("asks a model file's input scaling as step 3 of 6, in training-code terms, remembered; Back passes it both ways", async () => {
    const memory = remembered({ normalize: 'centered' });
    const path: string[] = [];
    let backs = 0;
    fakeHost.answer = (input: FakeQuickInput): void => {
      path.push(`${input.step}/${input.totalSteps}`);
      // At the forget step, go Back once: the scaling step comes again, then Enter on.
      if (input.step === 4 && backs === 0) {
        backs++;
        input.pressBack();
      } else input.pressEnter();
    };
    const answers = await flow.askNewRun(memory);
    const scaling = fakeHost.shown.filter((i) => i.placeholder === "How were your model's inputs scaled?");
    assert.equal(scaling.length, 2, 'Back from the forget step did not return to the scaling step');
    assert.deepEqual(
      scaling[0].items.map((i) => i.label),
      ['ToTensor() only: pixels in [0, 1]', 'Normalize(0.5, 0.5): pixels in [-1, 1]', 'Normalize(mean, std): per-channel standardised pixels'],
    );
    assert.match((scaling[0].items[2] as { detail?: string }).detail ?? '', /this training set's own per-channel mean and std/);
    assert.equal(scaling[0].activeItems[0]?.label, 'Normalize(0.5, 0.5): pixels in [-1, 1]', 'the remembered scaling is not highlighted');
    assert.deepEqual(path.slice(0, 5), ['1/6', '2/6', '3/6', '4/6', '3/6']);
    assert.equal(answers?.normalize, 'centered');
    assert.equal(memory.get<Record<string, unknown>>(flow.NEW_RUN_MEMORY_KEY)?.normalize, 'centered');
    const summary = fakeHost.shown[fakeHost.shown.length - 1];
    assert.ok(summary.items.some((i) => i.label === 'Inputs: Normalize(0.5, 0.5): pixels in [-1, 1]'));
  });

  it('asks no scaling for a built-in network: five steps, and Back from the forget step reaches the data step', async () => {
    const memory = remembered({ model: { kind: 'builtin', architecture: 'mlp' }, normalize: 'centered' });
    const path: string[] = [];
    let backs = 0;
    fakeHost.answer = (input: FakeQuickInput): void => {
      path.push(`${input.step}/${input.totalSteps} ${input.placeholder ?? input.prompt ?? ''}`);
      if (input.step === 3 && backs === 0) {
        backs++;
        input.pressBack();
      } else input.pressEnter();
    };
    const answers = await flow.askNewRun(memory);
    assert.ok(!fakeHost.shown.some((i) => i.placeholder === "How were your model's inputs scaled?"));
    assert.match(path[3], /^2\/5 Which data/);
    assert.equal(answers?.model.kind, 'builtin');
    const summary = fakeHost.shown[fakeHost.shown.length - 1];
    assert.ok(!summary.items.some((i) => i.label.startsWith('Inputs:')));
  });

  it('lists the methods with a detail line each and SalUn marked recommended, highlighted for a fresh flow', async () => {
    const memory = new Memory();
    fakeHost.answer = (input: FakeQuickInput): void => {
      if (input.placeholder === 'Which unlearning method?') input.pressEscape();
      else input.pressEnter();
    };
    await flow.askNewRun(memory);
    const step = fakeHost.shown.find((i) => i.placeholder === 'Which unlearning method?');
    assert.ok(step, 'the method step was not shown');
    const items = step.items as { label: string; description?: string; detail?: string }[];
    assert.equal(items.length, 12);
    assert.ok(items.every((i) => (i.detail ?? '').length > 0));
    assert.deepEqual(
      items.filter((i) => /recommended/.test(i.description ?? '')).map((i) => i.label),
      ['$(star-full) SalUn'],
    );
    assert.equal(step.activeItems[0]?.label, '$(star-full) SalUn');
    assert.match(step.title ?? '', /Retrain, a model trained without the data to forget/);
  });

  it('says before Start that the ratio gives γ = 0 (a map already computed), and Use ratio takes the largest with γ > 0', async () => {
    const memory = remembered({ ratio: 0.5 });
    const zeros = { total: 100, zeros: 58, zeroShare: 0.58, maxPositiveRatio: 0.42 };
    const asked: unknown[] = [];
    let used = false;
    fakeHost.answer = (input: FakeQuickInput): void => {
      if (input.title?.endsWith('summary') && !used) {
        used = true;
        input.activeItems = input.items.filter((i) => i.label.startsWith('$(wand)'));
      }
      input.pressEnter();
    };
    const answers = await flow.askNewRun(
      memory,
      {},
      {},
      {
        cached: (a) => {
          asked.push(a.ratio);
          return { zeros, runId: '20260101-000000-saliency' };
        },
      },
    );
    const summaries = fakeHost.shown.filter((i) => i.title?.endsWith('summary'));
    assert.equal(summaries.length, 2);
    const first = summaries[0].items as { label: string; detail?: string }[];
    assert.ok(
      first.some((i) => i.label === '$(warning) 58% of saliency scores are 0: ratio 0.5 gives γ = 0'),
      first.map((i) => i.label).join(' | '),
    );
    assert.ok(first.some((i) => /filled in weight order; the largest ratio with γ > 0 is 0\.42/.test(i.detail ?? '')));
    assert.ok(first.some((i) => i.label === '$(wand) Use ratio 0.42'));
    const second = summaries[1].items.map((i) => i.label);
    assert.ok(second.includes('$(pass) 58% of saliency scores are 0: ratio 0.42 keeps γ > 0'), second.join(' | '));
    assert.equal(summaries[1].activeItems[0]?.label, '$(play) Start');
    assert.equal(answers?.ratio, 0.42);
    assert.deepEqual(asked, [0.5, 0.42]);
  });

  it('offers to check the saliency scores of a model file first (highlighted), runs the check, then shows what it found', async () => {
    const memory = remembered({ ratio: 0.5 });
    let computed = 0;
    const answers = await flow.askNewRun(
      memory,
      {},
      {},
      {
        cached: () => undefined,
        compute: () => {
          computed++;
          return Promise.resolve({ zeros: { total: 10, zeros: 2, zeroShare: 0.2, maxPositiveRatio: 0.8 }, runId: 'r-check' });
        },
      },
    );
    const summaries = fakeHost.shown.filter((i) => i.title?.endsWith('summary'));
    assert.equal(summaries[0].activeItems[0]?.label, '$(pulse) Check the saliency scores first');
    assert.equal(computed, 1);
    assert.ok(summaries[1].items.some((i) => i.label === '$(pass) 20% of saliency scores are 0: ratio 0.5 keeps γ > 0'));
    assert.ok(!summaries[1].items.some((i) => i.label.includes('Check the saliency')));
    assert.equal(answers?.ratio, 0.5);
  });
  it("the summary's check starts a saliency job of the answers' model, scaling and seeded forget set, and reads its map", async () => {
    const { newRunSaliencyCheck } = require('../../src/extension/newRunSaliency') as typeof import('../../src/extension/newRunSaliency');
    const { defaultRunConfig } = require('../../src/protocol/defaults') as typeof import('../../src/protocol/defaults');
    const runDir = join(dir, '.salun', 'runs', '20260101-000000-saliency');
    mkdirSync(join(runDir, 'saliency'), { recursive: true });
    const scores = Float32Array.from([0, 0, 0, 1, 2, 3, 4, 5, 6, 7]);
    writeFileSync(
      join(runDir, 'saliency', 'summary.json'),
      JSON.stringify({
        ratio: 0.5,
        gamma: 3,
        totalWeights: 10,
        salientWeights: 5,
        layers: [{ name: 'w', shape: [10], count: 10, salient: 5, salientFraction: 0.5 }],
      }),
    );
    writeFileSync(join(runDir, 'saliency', 'scores.f32'), new Uint8Array(scores.buffer));
    const started: unknown[] = [];
    const supervisor = {
      running: false,
      start: (command: { config: unknown }): Promise<unknown> => {
        started.push(command);
        return Promise.resolve({
          status: 'finished',
          events: [{ type: 'started', kind: 'saliency', runId: '20260101-000000-saliency', runDir, backend: { name: 'cpu', reason: 'test' } }],
        });
      },
    };
    const log = { info: (): void => undefined, warn: (): void => undefined };
    const base = { ...defaultRunConfig(), seed: 5 };
    const check = newRunSaliencyCheck({ supervisor, log, revealPanel: () => Promise.resolve() } as never, base, dir);
    const own: NewRunAnswers = {
      model: { kind: 'file', path: join(dir, 'model.json') },
      data: { kind: 'default' },
      forget: { kind: 'random', fraction: 0.1 },
      method: 'salun',
      epochs: 3,
      lr: 0.01,
      ratio: 0.8,
      normalize: 'centered',
    };
    const found = await check.compute?.(own);
    assert.deepEqual(found, { runId: '20260101-000000-saliency', zeros: { total: 10, zeros: 3, zeroShare: 0.3, maxPositiveRatio: 0.7 } });
    const command = started[0] as { kind: string; config: { data: unknown; forget: unknown; model: unknown } };
    assert.equal(command.kind, 'saliency');
    assert.deepEqual(command.config.data, { kind: 'default', normalize: 'centered' });
    assert.deepEqual(command.config.forget, { kind: 'random', fraction: 0.1, seed: 5 });
    // A job that did not finish gives nothing to say; a job already running is refused, nothing started.
    supervisor.start = (command): Promise<unknown> => (started.push(command), Promise.resolve({ status: 'cancelled', events: [] }));
    assert.equal(await check.compute?.(own), undefined);
    supervisor.running = true;
    assert.equal(await check.compute?.(own), undefined);
    assert.equal(started.length, 2);
  });
});
