// The panel's Run Unlearning button: the last New Unlearning Run again, or the flow; never a run
// from the settings' defaults. Plus the labels that name a run's setting and the γ = 0 advice.
import { strict as assert } from 'node:assert';
import { panelRunPlan } from '../../src/extension/panel/panelRun';
import { dataLabel, forgetLabel, modelLabel, runSettingOf, settingText } from '../../src/protocol/runLabels';
import { gammaZeroAdvice, largestPositiveGammaRatio } from '../../webview/gammaZero';

const answers = {
  model: { kind: 'file', path: '/ws/models/my-model/model.json' },
  data: { kind: 'default' },
  forget: { kind: 'class', classIndex: 7 },
  method: 'salun',
  epochs: 5,
  lr: 0.013,
  ratio: 0.5,
};

describe("the panel's Run Unlearning button", () => {
  it('with nothing remembered, or an incomplete memory, opens the New Unlearning Run flow', () => {
    assert.deepEqual(panelRunPlan(undefined), { kind: 'flow' });
    assert.deepEqual(panelRunPlan({ model: answers.model, data: answers.data }), { kind: 'flow' });
    assert.deepEqual(panelRunPlan({ ...answers, method: 'no-such-method' }), { kind: 'flow' });
  });

  it('reruns the remembered answers, named by method, model, data and forget set', () => {
    const plan = panelRunPlan(answers);
    assert.equal(plan.kind, 'rerun');
    if (plan.kind !== 'rerun') return;
    assert.deepEqual(plan.answers.model, answers.model);
    assert.deepEqual(plan.answers.forget, answers.forget);
    assert.equal(plan.summary, 'SalUn on my-model/model.json · bundled Fashion-MNIST · forget class 7');
  });

  it('takes a ratio applied from the panel since (the flow would prefill it too)', () => {
    const plan = panelRunPlan({ ...answers, settingsSeen: { ratio: 0.5 } }, { ratio: 0.165 });
    assert.equal(plan.kind === 'rerun' ? plan.answers.ratio : undefined, 0.165);
  });
});

describe('run labels', () => {
  it('names models, data and forget sets briefly, on any platform', () => {
    assert.equal(modelLabel({ kind: 'builtin', architecture: 'resnet18' }), 'built-in ResNet-18');
    assert.equal(modelLabel({ kind: 'file', path: 'C:\\Users\\me\\net\\model.json' }), 'net/model.json');
    assert.equal(dataLabel({ kind: 'imagefolder', dir: '/data/pets/images' }), 'imagefolder pets/images');
    assert.equal(forgetLabel({ kind: 'random', fraction: 0.1, seed: 3 }), 'random 10% (seed 3)');
    assert.equal(forgetLabel({ kind: 'indices', file: '/ws/forget.json' }), 'indices forget.json');
    assert.equal(modelLabel({ kind: 'file' }), undefined);
    assert.deepEqual(runSettingOf('not a config'), {});
    assert.equal(
      settingText(runSettingOf({ model: { kind: 'builtin', architecture: 'cnn' }, forget: { kind: 'class', classIndex: 2 } })),
      'built-in CNN · forget class 2',
    );
  });
});

describe('γ = 0 advice', () => {
  it('only when γ is exactly 0 and some scores are 0; the largest ratio whose top-k holds only nonzero scores', () => {
    const h = { zeros: 61_320, total: 105_866 };
    assert.equal(gammaZeroAdvice(1e-9, h), undefined);
    assert.equal(gammaZeroAdvice(0, { zeros: 0, total: 10 }), undefined);
    const advice = gammaZeroAdvice(0, h);
    assert.equal(advice?.suggestedRatio, 0.42);
    // The mask at that ratio holds round(r · total) weights: never more than the nonzero ones.
    const r = largestPositiveGammaRatio(h);
    assert.ok(Math.round(r * h.total) <= h.total - h.zeros && Math.round((r + 0.001) * h.total) > h.total - h.zeros - 106);
    assert.equal(largestPositiveGammaRatio({ zeros: 10, total: 10 }), 0);
  });
});
