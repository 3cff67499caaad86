// The New Unlearning Run flow itself (newRunFlow.ts), driven in plain Node through a fake `vscode`
// whose quick inputs behave as VS Code's: Enter takes the highlighted item, and new items move the
// highlight to the first one. A user who presses Enter through the steps gets what was remembered.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeHost, installFakeVscodeHost, resetFakeHost, type FakeQuickInput } from '../support/fakeVscode';
import type { NewRunAnswers } from '../../src/extension/flows/newRunAnswers';
import { METHOD_NAMES } from '../../src/protocol/methods';

installFakeVscodeHost();

type Flow = typeof import('../../src/extension/flows/newRunFlow');

const ARCHITECTURES = 'salun.newRun.architectures';
const NEW_RUN = 'salun.newRun.lastAnswers';

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

/** Takes the item whose label includes `text` (Enter on it). */
function take(input: FakeQuickInput, text: string): void {
  const item = input.items.find((i) => i.label.includes(text));
  assert.ok(item, `no item "${text}" in ${input.items.map((i) => i.label).join(' | ')}`);
  input.activeItems = [item];
  input.pressEnter();
}

describe('New Unlearning Run: the flow', () => {
  let flow: Flow;
  let dir: string;

  before(() => {
    // Required only now: the fake must be in place before the flow loads `vscode`.
    flow = require('../../src/extension/flows/newRunFlow') as Flow;
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

  it("offers another task's flow last in the model step, never highlighted; taking it ends this flow, nothing remembered", async () => {
    let taken = 0;
    const handoff = { label: 'the other task', description: 'its flow', take: () => taken++ };
    const memory = new Memory();
    fakeHost.answer = (i) => {
      assert.notEqual(i.activeItems[0]?.label, 'the other task', 'Enter on a fresh flow would leave the classifier flow');
      const last = i.items[i.items.length - 1];
      assert.equal(last?.label, 'the other task');
      i.activeItems = [last];
      i.pressEnter();
    };
    assert.equal(await flow.askNewRun(memory, {}, {}, undefined, handoff), undefined);
    assert.equal(taken, 1);
    assert.deepEqual(memory.keys(), []);
    assert.equal(fakeHost.shown.length, 1, 'no step after the model step');
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
      [
        'ToTensor() only: pixels in [0, 1]',
        'Normalize(0.5, 0.5): pixels in [-1, 1]',
        'Normalize(mean, std): per-channel standardised pixels',
        'Custom mean/std…',
      ],
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
    assert.equal(items.length, METHOD_NAMES.length);
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
    const { newRunSaliencyCheck } = require('../../src/extension/flows/newRunSaliency') as typeof import('../../src/extension/flows/newRunSaliency');
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

  it("lists the workspace's checkpoints; taking one asks its network (the PyTorch module on each line), remembered for the file", async () => {
    const checkpoint = join(dir, 'net.safetensors');
    writeFileSync(checkpoint, '');
    fakeHost.foundFiles = [join(dir, 'model.json'), checkpoint, join(dir, 'net.onnx')];
    fakeHost.findDelayMs = 0;
    fakeHost.answerDelayMs = 30;
    fakeHost.answer = (input: FakeQuickInput): void => {
      if (input.placeholder?.startsWith('Which model should forget')) take(input, 'net.safetensors');
      else if (input.placeholder === 'Which network is this checkpoint of?') take(input, 'MLP');
      else input.pressEnter();
    };
    const memory = new Memory();
    const answers = await flow.askNewRun(memory);
    const modelStep = fakeHost.shown[0];
    for (const f of ['model.json', 'net.safetensors', 'net.onnx'])
      assert.ok(
        modelStep.items.some((i) => i.label.includes(f)),
        f,
      );
    const ask = fakeHost.shown.find((i) => i.placeholder === 'Which network is this checkpoint of?');
    assert.ok(ask, 'the architecture was not asked');
    assert.equal(ask.step, 1, 'the architecture belongs to the model step');
    assert.match(ask.title ?? '', /net\.safetensors$/);
    const items = ask.items as { label: string; detail?: string }[];
    assert.ok(items.some((i) => i.label.includes('ResNet-18 (torchvision)') && i.detail === 'torchvision.models.resnet18(num_classes=…)'));
    assert.equal(items.length, 5);
    assert.deepEqual(answers?.model, { kind: 'pytorch', path: checkpoint, architecture: 'mlp' });
    assert.deepEqual(memory.get(flow.ARCHITECTURE_MEMORY_KEY), { [checkpoint]: 'mlp' });

    // Next time Enter all the way: the checkpoint is highlighted, then its network.
    resetFakeHost();
    fakeHost.workspaceFolders = [dir];
    fakeHost.foundFiles = [checkpoint];
    const again = await flow.askNewRun(memory);
    assert.deepEqual(again?.model, { kind: 'pytorch', path: checkpoint, architecture: 'mlp' });
    const asked = fakeHost.shown.find((i) => i.placeholder === 'Which network is this checkpoint of?');
    assert.equal(asked?.activeItems[0]?.label, '$(circuit-board) MLP');
  });

  it('Escape at the architecture shows the model list again; nothing is remembered for a cancelled flow', async () => {
    const checkpoint = join(dir, 'other.pth');
    writeFileSync(checkpoint, '');
    fakeHost.foundFiles = [checkpoint];
    fakeHost.findDelayMs = 0;
    fakeHost.answerDelayMs = 30;
    let models = 0;
    fakeHost.answer = (input: FakeQuickInput): void => {
      if (input.placeholder?.startsWith('Which model should forget')) {
        if (++models === 1) take(input, 'other.pth');
        else input.pressEscape();
      } else if (input.placeholder === 'Which network is this checkpoint of?') input.pressEscape();
      else input.pressEnter();
    };
    const memory = new Memory();
    assert.equal(await flow.askNewRun(memory), undefined);
    assert.equal(models, 2, 'Escape at the architecture did not return to the model list');
    assert.deepEqual(memory.keys(), []);
  });

  it('takes a custom mean/std for the data’s channels, checked as typed, and highlights it next time', async () => {
    const memory = remembered({ data: { kind: 'default' } });
    const messages: (string | undefined)[] = [];
    fakeHost.answer = (input: FakeQuickInput): void => {
      if (input.placeholder === "How were your model's inputs scaled?") take(input, 'Custom mean/std…');
      else if (input.type === 'input' && /Normalize\(mean, std\)/.test(input.prompt ?? '')) {
        // Three values for one-channel data, then a std of 0: each refused with what is wrong.
        for (const text of ['(0.5, 0.5, 0.5), (0.5, 0.5, 0.5)', '(0.2860,), (0,)', '(0.2860,), (0.3530,)']) {
          input.value = text;
          input.pressEnter();
          messages.push(input.validationMessage);
        }
      } else input.pressEnter();
    };
    const answers = await flow.askNewRun(memory);
    assert.match(messages[0] ?? '', /^mean has 3 values but the data has 1 channel/);
    assert.match(messages[1] ?? '', /^std value 0 \(channel 1\) must be above 0/);
    assert.equal(messages[2], undefined);
    const box = fakeHost.shown.find((i) => i.type === 'input' && /Normalize\(mean, std\)/.test(i.prompt ?? ''));
    assert.match(box?.prompt ?? '', /the data has 1/);
    assert.equal(box?.placeholder, '(0.2860,), (0.3530,)');
    assert.deepEqual(answers?.normalize, { mean: [0.286], std: [0.353] });
    const summary = fakeHost.shown[fakeHost.shown.length - 1];
    assert.ok(summary.items.some((i) => i.label === 'Inputs: Normalize((0.286,), (0.353,)): your per-channel constants'));

    // Remembered: the custom item is highlighted with the constants, and the box shows them to change.
    resetFakeHost();
    fakeHost.workspaceFolders = [dir];
    let shownValue: string | undefined;
    fakeHost.answer = (input: FakeQuickInput): void => {
      if (input.type === 'input' && /Normalize\(mean, std\)/.test(input.prompt ?? '')) shownValue = input.value;
      input.pressEnter();
    };
    const again = await flow.askNewRun(memory);
    const step = fakeHost.shown.find((i) => i.placeholder === "How were your model's inputs scaled?");
    assert.equal(step?.activeItems[0]?.label, 'Custom mean/std…');
    assert.equal(shownValue, '(0.286,), (0.353,)');
    assert.deepEqual(again?.normalize, { mean: [0.286], std: [0.353] });
  });
});

describe("The explorer's SalUn menu on a model file", () => {
  type Workflow = typeof import('../../src/extension/flows/workflowCommands');
  type Ids = typeof import('../../src/extension/commandIds');
  let dir: string;
  let ids: Ids['COMMAND_IDS'];
  let started: { kind: string; config: { model?: unknown; data?: unknown } }[];
  let memory: Memory;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'salun-explorer-'));
    ids = (require('../../src/extension/commandIds') as Ids).COMMAND_IDS;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    resetFakeHost();
    fakeHost.workspaceFolders = [dir];
    started = [];
    memory = new Memory();
    const workflow = require('../../src/extension/flows/workflowCommands') as Workflow;
    const supervisor = {
      running: false,
      start: (command: { kind: string; config: { model?: unknown } }): Promise<unknown> => {
        started.push(command);
        return Promise.resolve({ status: 'finished', events: [] });
      },
    };
    const log = { info: (): void => undefined, warn: (): void => undefined, show: (): void => undefined };
    workflow.registerWorkflowCommands({ supervisor, log, revealPanel: () => Promise.resolve(), memory } as never);
  });

  function run(id: string, ...args: unknown[]): Promise<unknown> {
    const handler = fakeHost.handlers.get(id);
    assert.ok(handler, `${id} is not registered`);
    return Promise.resolve(handler(...args));
  }

  const uri = (name: string): unknown => {
    const { Uri } = require('vscode') as { Uri: { file(p: string): unknown } };
    return Uri.file(join(dir, name));
  };

  it('Run Unlearning on a checkpoint asks its network first, then the flow from the data step', async () => {
    fakeHost.answer = (input: FakeQuickInput): void => {
      if (input.placeholder === 'Which network is this checkpoint of?') take(input, 'VGG-16-BN');
      // Enter at the summary would check the saliency scores first (highlighted for a model file).
      else if (input.title?.endsWith('summary')) take(input, 'Start');
      else input.pressEnter();
    };
    await run(ids.runUnlearningOnModel, uri('net.pt'), [uri('net.pt')]);
    assert.equal(fakeHost.shown[0].placeholder, 'Which network is this checkpoint of?');
    assert.equal(fakeHost.shown[1].placeholder, 'Which data was the model trained on?');
    assert.equal(started.length, 1);
    assert.equal(started[0].kind, 'run');
    assert.deepEqual(started[0].config.model, { kind: 'pytorch', path: join(dir, 'net.pt'), architecture: 'vgg16-bn' });
    assert.deepEqual(memory.get(ARCHITECTURES), { [join(dir, 'net.pt')]: 'vgg16-bn' });
  });

  it('Escape at the network starts nothing; a script passes { architecture } and is asked nothing of the model', async () => {
    fakeHost.answer = (input: FakeQuickInput): void => input.pressEscape();
    assert.equal(await run(ids.runUnlearningOnModel, uri('net.pth')), undefined);
    assert.equal(started.length, 0);
    fakeHost.shown = [];
    fakeHost.answer = (input: FakeQuickInput): void => input.pressEnter();
    await run(ids.computeSaliencyForModel, uri('net.safetensors'), { architecture: 'resnet18' });
    assert.deepEqual(fakeHost.shown, [], 'Compute Saliency with a given architecture asked something');
    assert.equal(started[0].kind, 'saliency');
    assert.deepEqual(started[0].config.model, { kind: 'pytorch', path: join(dir, 'net.safetensors'), architecture: 'resnet18' });
  });

  it('Compute Saliency and Evaluate on an .onnx file take it as your ONNX graph, on the last run’s data and scaling', async () => {
    const normalize = { mean: [0.2], std: [0.4] };
    memory.store.set(NEW_RUN, { data: { kind: 'default' }, forget: { kind: 'class', classIndex: 2 }, normalize });
    await run(ids.computeSaliencyForModel, uri('net.onnx'));
    await run(ids.evaluateModel, uri('net.onnx'));
    assert.deepEqual(
      started.map((s) => s.kind),
      ['saliency', 'evaluate'],
    );
    for (const s of started) {
      assert.deepEqual(s.config.model, { kind: 'onnx', path: join(dir, 'net.onnx') }, s.kind);
      assert.deepEqual(s.config.data, { kind: 'default', normalize }, s.kind);
    }
  });
});
