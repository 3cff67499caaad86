// Other people's models in the guided commands, without VS Code: which files the model-source table
// offers, the config an ONNX graph, a PyTorch checkpoint (with its architecture) or a custom
// Normalize(mean, std) becomes, checked by the job's parser and by the schema file editors use, and
// the custom scaling's input box rules.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ARCHITECTURE_NAMES, type RunConfig } from '../../src/protocol/config';
import { CONFIG_FILE_SCHEMA_PATH } from '../../src/protocol/configFileSchema';
import { defaultRunConfig } from '../../src/protocol/defaults';
import {
  fileAsksArchitecture,
  fileModelSpec,
  MODEL_FILE_DIALOG_EXTENSIONS,
  MODEL_FILE_ENDINGS,
  MODEL_FILE_GLOB,
  modelFileNouns,
  PYTORCH_TWIN_NAMES,
  PYTORCH_TWINS,
  specForFile,
} from '../../src/protocol/modelSources';
import { parseRunConfig } from '../../src/protocol/runConfigSchema';
import type { Schema } from '../../src/protocol/schema';
import { validate } from '../../src/protocol/schema';
import {
  completeAnswers,
  customNormalizeProblem,
  customNormalizeText,
  dataChannels,
  lastRunBase,
  listedForEvaluation,
  parseCustomNormalize,
  rememberedAnswers,
  runConfigFromAnswers,
  summaryLines,
  type NewRunAnswers,
} from '../../src/extension/flows/newRunAnswers';

const root = resolve(__dirname, '..', '..', '..');
/** The run branch of the schema file the package ships (the editor's check of *.salun.json). */
const fileSchema = (JSON.parse(readFileSync(join(root, CONFIG_FILE_SCHEMA_PATH), 'utf8')) as { else: Schema }).else;

const base: RunConfig = { ...defaultRunConfig(), seed: 3 };
const answers = (over: Partial<NewRunAnswers>): NewRunAnswers => ({
  model: { kind: 'onnx', path: '/ws/net.onnx' },
  data: { kind: 'cifar10py', dir: '/ws/cifar-10-batches-py' },
  forget: { kind: 'class', classIndex: 3 },
  method: 'salun',
  epochs: 2,
  lr: 0.01,
  ratio: 0.5,
  ...over,
});

/** The config as the job and the editor's schema both read it. */
function accepted(c: RunConfig): void {
  assert.deepEqual(parseRunConfig(JSON.parse(JSON.stringify(c))), c);
  assert.deepEqual(validate(JSON.parse(JSON.stringify(c)), fileSchema), []);
}

describe('New Unlearning Run: your ONNX graph or PyTorch checkpoint', () => {
  it('offers every model file of the table: the workspace glob, the dialog filter, the spec of each', () => {
    for (const ending of ['model.json', '.onnx', '.pth', '.pt', '.safetensors']) assert.ok(MODEL_FILE_ENDINGS.includes(ending), ending);
    assert.equal(MODEL_FILE_GLOB, '**/{model.json,*.onnx,*.pth,*.pt,*.safetensors}');
    assert.deepEqual([...MODEL_FILE_DIALOG_EXTENSIONS].sort(), ['json', 'onnx', 'pt', 'pth', 'safetensors']);
    assert.match(modelFileNouns(), /ONNX.*\(\.onnx\).*PyTorch checkpoint \(\.pth, \.pt, \.safetensors\)/);
    assert.deepEqual(fileModelSpec('/m/Net.ONNX'), { kind: 'onnx', path: '/m/Net.ONNX' });
    assert.deepEqual(fileModelSpec('/m/model.json'), { kind: 'file', path: '/m/model.json' });
    for (const f of ['/m/a.pth', '/m/a.pt', '/m/a.safetensors']) {
      assert.equal(fileAsksArchitecture(f), true, f);
      // Without its network a checkpoint has no spec: nothing could load it.
      assert.equal(fileModelSpec(f), undefined, f);
      assert.deepEqual(fileModelSpec(f, 'resnet18'), { kind: 'pytorch', path: f, architecture: 'resnet18' });
    }
    assert.equal(fileAsksArchitecture('/m/model.json'), false);
    assert.equal(fileAsksArchitecture('/m/a.onnx'), false);
    // The older helper keeps its answer for the files it knew.
    assert.deepEqual(specForFile('/m/a.onnx'), { kind: 'onnx', path: '/m/a.onnx' });
  });

  it('lists every architecture with a PyTorch twin, each by the module a PyTorch user wrote', () => {
    assert.deepEqual([...PYTORCH_TWIN_NAMES].sort(), [...ARCHITECTURE_NAMES].sort());
    assert.equal(PYTORCH_TWINS['resnet18-torchvision'].torch, 'torchvision.models.resnet18(num_classes=…)');
    for (const a of PYTORCH_TWIN_NAMES) assert.ok(PYTORCH_TWINS[a].label.length > 0 && PYTORCH_TWINS[a].torch.length > 10, a);
  });

  it("shows the explorer's SalUn menu on every file ending of the table", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      contributes: { menus: { 'explorer/context': { submenu?: string; when: string }[] } };
    };
    const entry = pkg.contributes.menus['explorer/context'].find((m) => m.submenu === 'salun.model');
    assert.ok(entry, 'no salun.model submenu in explorer/context');
    for (const ending of MODEL_FILE_ENDINGS) {
      const clause = ending.startsWith('.') ? `resourceExtname == ${ending}` : `resourceFilename == ${ending}`;
      assert.ok(entry.when.includes(clause), `${clause} missing from "${entry.when}"`);
    }
  });

  it('writes an ONNX model, a checkpoint with its architecture and a custom mean/std as configs the job and the schema accept', () => {
    const onnx = runConfigFromAnswers(answers({ normalize: 'centered' }), base);
    assert.deepEqual(onnx.model, { kind: 'onnx', path: '/ws/net.onnx' });
    assert.equal(onnx.data.normalize, 'centered');
    accepted(onnx);

    const normalize = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };
    const pytorch = runConfigFromAnswers(answers({ model: { kind: 'pytorch', path: '/ws/net.safetensors', architecture: 'resnet18' }, normalize }), base);
    assert.deepEqual(pytorch.model, { kind: 'pytorch', path: '/ws/net.safetensors', architecture: 'resnet18' });
    assert.deepEqual(pytorch.data, { kind: 'cifar10py', dir: '/ws/cifar-10-batches-py', normalize });
    accepted(pytorch);

    // The default scaling is left out, so the config equals one written by hand without it.
    assert.equal('normalize' in runConfigFromAnswers(answers({ normalize: 'unit' }), base).data, false);
    // A built-in θo is trained here on [0, 1] pixels: a scaling answer left over does not apply.
    const builtin = runConfigFromAnswers(answers({ model: { kind: 'builtin', architecture: 'cnn' }, normalize }), base);
    assert.equal('normalize' in builtin.data, false);
    accepted(builtin);
  });

  it('takes scripted answers with a checkpoint only with its architecture, and a custom mean/std only when valid', () => {
    const scripted = JSON.parse(
      JSON.stringify(
        answers({ model: { kind: 'pytorch', path: 'net.pth', architecture: 'mlp' }, normalize: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } }),
      ),
    ) as unknown;
    const a = completeAnswers(scripted);
    assert.deepEqual(a?.model, { kind: 'pytorch', path: 'net.pth', architecture: 'mlp' });
    assert.deepEqual(a?.normalize, { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    assert.equal(completeAnswers({ ...(scripted as object), model: { kind: 'pytorch', path: 'net.pth' } }), undefined);
    assert.equal(completeAnswers({ ...(scripted as object), model: { kind: 'pytorch', path: 'net.pth', architecture: 'alexnet' } }), undefined);
    for (const bad of [
      { mean: [0.5], std: [0] },
      { mean: [0.5, 0.5], std: [0.5] },
      { mean: [], std: [] },
      { mean: ['0.5'], std: [0.5] },
      { mean: [0.5], std: [0.5], extra: 1 },
      'magic',
    ])
      assert.equal(rememberedAnswers({ ...(scripted as object), normalize: bad }).normalize, undefined, JSON.stringify(bad));
  });

  it("says a checkpoint's network in the summary, as the user answered it", () => {
    const lines = summaryLines(answers({ model: { kind: 'pytorch', path: 'net.pth', architecture: 'resnet18-torchvision' } }), []);
    assert.equal(lines[0].text, 'Model: net.pth (your ResNet-18 (torchvision) checkpoint; never modified)');
    assert.equal(summaryLines(answers({}), [])[0].text, 'Model: /ws/net.onnx (your model; never modified)');
  });

  it('says the custom constants in the summary, as Normalize is called', () => {
    const lines = summaryLines(answers({ normalize: { mean: [0.1307], std: [0.3081] } }), []);
    assert.ok(
      lines.some((l) => l.text === 'Inputs: Normalize((0.1307,), (0.3081,)): your per-channel constants' && l.question === 'normalize'),
      lines.map((l) => l.text).join(' | '),
    );
  });

  it('runs Evaluate and Compute Saliency of a model file on the last run’s data, forget set and (for your model) scaling', () => {
    const last = { data: { kind: 'default' as const }, forget: { kind: 'class' as const, classIndex: 1 }, normalize: { mean: [0.3], std: [0.3] } };
    const own = lastRunBase(base, last, { kind: 'onnx', path: 'n.onnx' });
    assert.deepEqual(own.data, { kind: 'default', normalize: { mean: [0.3], std: [0.3] } });
    assert.deepEqual(own.forget, { kind: 'class', classIndex: 1 });
    assert.deepEqual(lastRunBase(base, last, { kind: 'builtin', architecture: 'mlp' }).data, { kind: 'default' });
    assert.deepEqual(lastRunBase(base, {}, { kind: 'onnx', path: 'n.onnx' }).data, base.data);
  });

  it("lists a run folder's model once for evaluation, by its model.json", () => {
    assert.equal(listedForEvaluation('/ws/.salun/runs/r1/model/model.json'), true);
    assert.equal(listedForEvaluation('/ws/.salun/runs/r1/model/model.onnx'), false);
    assert.equal(listedForEvaluation('C:\\ws\\.salun\\runs\\r1\\model\\model.safetensors'), false);
    assert.equal(listedForEvaluation('/ws/models/net.safetensors'), true);
  });
});

describe('New Unlearning Run: the custom mean/std box', () => {
  it('reads what a PyTorch user pastes or types', () => {
    const cifar = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };
    for (const text of [
      '(0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)',
      'transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))',
      'Normalize(mean=[0.4914, 0.4822, 0.4465], std=[0.2470, 0.2435, 0.2616])',
      '0.4914 0.4822 0.4465 / 0.2470 0.2435 0.2616',
      '0.4914, 0.4822, 0.4465; 0.2470, 0.2435, 0.2616',
    ])
      assert.deepEqual(parseCustomNormalize(text, 3), cifar, text);
    assert.deepEqual(parseCustomNormalize('Normalize((0.1307,), (0.3081,))', 1), { mean: [0.1307], std: [0.3081] });
    // What the box shows again reads back the same.
    assert.deepEqual(parseCustomNormalize(customNormalizeText(cifar), 3), cifar);
    assert.deepEqual(parseCustomNormalize(customNormalizeText({ mean: [0.5], std: [0.5] }), 1), { mean: [0.5], std: [0.5] });
  });

  it('names what is wrong: the count against the channels, a std not above 0, a value that is not a finite number', () => {
    assert.match(customNormalizeProblem('(0.5, 0.5), (0.5, 0.5)', 3) ?? '', /^mean has 2 values but the data has 3 channels/);
    assert.match(customNormalizeProblem('(0.5, 0.5, 0.5), (0.5,)', 3) ?? '', /^std has 1 value but the data has 3 channels/);
    assert.match(customNormalizeProblem('(0.5, 0.5, 0.5), (0.5, 0, 0.5)', 3) ?? '', /^std value 0 \(channel 2\) must be above 0/);
    assert.match(customNormalizeProblem('(0.5,), (-1,)', 1) ?? '', /^std value -1 \(channel 1\) must be above 0/);
    assert.match(customNormalizeProblem('(0.5, abc, 0.5), (0.5, 0.5, 0.5)', 3) ?? '', /^mean value 'abc' \(channel 2\) is not a number/);
    assert.match(customNormalizeProblem('(Infinity,), (0.5,)', 1) ?? '', /^mean value 'Infinity' \(channel 1\) is not a number/);
    assert.match(customNormalizeProblem('(0.5,), (NaN,)', 1) ?? '', /^std value 'NaN' \(channel 1\) is not a number/);
    assert.match(customNormalizeProblem('0.5 0.5 0.5', 3) ?? '', /^Give the mean and the std as two lists.*\(0\.4914, 0\.4822, 0\.4465\), \(0\.2470/);
    assert.equal(customNormalizeProblem('(0.5, 0.5, 0.5), (0.2, 0.2, 0.2)', 3), undefined);
  });

  it('counts by the channels the data format fixes; where the files decide, one or three of each, as many means as stds', () => {
    assert.equal(dataChannels({ kind: 'default' }), 1);
    assert.equal(dataChannels({ kind: 'idx', dir: 'd' }), 1);
    assert.equal(dataChannels({ kind: 'cifar10py', dir: 'd' }), 3);
    assert.equal(dataChannels({ kind: 'cifar100py', dir: 'd' }), 3);
    assert.equal(dataChannels({ kind: 'imagefolder', dir: 'd' }), undefined);
    assert.equal(dataChannels({ kind: 'npz', file: 'd.npz' }), undefined);
    assert.equal(customNormalizeProblem('(0.5,), (0.5,)', undefined), undefined);
    assert.equal(customNormalizeProblem('(0.5, 0.5, 0.5), (0.5, 0.5, 0.5)', undefined), undefined);
    assert.match(customNormalizeProblem('(0.5, 0.5), (0.5, 0.5)', undefined) ?? '', /^mean has 2 values: give one per channel of your images \(1 or 3\)/);
    assert.match(customNormalizeProblem('(0.5,), (0.5, 0.5, 0.5)', undefined) ?? '', /^mean has 1 value but std has 3/);
  });
});
