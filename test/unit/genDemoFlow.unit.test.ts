// The editor's Generation Unlearning Demo flow, driven in plain Node through the fake `vscode`: the
// method step lists the method table's rows that have a generation facet, all ticked at first;
// Back keeps what was ticked; Enter with nothing ticked keeps the step and says what to do.
import * as assert from 'node:assert/strict';
import { fakeHost, installFakeVscodeHost, resetFakeHost, type FakeQuickInput } from '../support/fakeVscode';
import { GENERATION_METHOD_NAMES } from '../../src/protocol/genMethods';
import { METHODS } from '../../src/protocol/methods';

installFakeVscodeHost();

type Flow = typeof import('../../src/extension/flows/generationDemoCommand');

/** Answers each shown input with the next script step. */
function script(steps: ((i: FakeQuickInput) => void)[]): void {
  let n = 0;
  fakeHost.answer = (i) => {
    const step = steps[n++];
    assert.ok(step, `an input was shown past the script: ${i.placeholder ?? ''}`);
    step(i);
  };
}

describe('Generation Unlearning Demo: the flow', () => {
  let flow: Flow;
  before(() => {
    flow = require('../../src/extension/flows/generationDemoCommand') as Flow;
  });
  beforeEach(() => resetFakeHost());

  it("the method step is the table's generation rows, in the job's order, with each facet's words", () => {
    const items = flow.generationMethodItems();
    assert.deepEqual(
      items.map((i) => i.value),
      GENERATION_METHOD_NAMES,
    );
    for (const i of items) assert.equal(i.label, METHODS[i.value].label);
    assert.match(items.find((i) => i.value === 'salun')?.description ?? '', /inside the saliency mask/);
  });

  it('class, methods, recipe: Back from the recipe keeps the ticks; nothing ticked keeps the step', async () => {
    const seen: FakeQuickInput[] = [];
    let methodsShown = 0;
    script([
      (i) => {
        seen.push(i);
        i.pressEnter(); // class 7, the highlighted default
      },
      (i) => {
        seen.push(i);
        methodsShown++;
        assert.equal(i.canSelectMany, true);
        assert.deepEqual(
          i.selectedItems.map((x) => x.label),
          i.items.map((x) => x.label),
          'every method ticked at first',
        );
        i.selectedItems = [];
        i.pressEnter();
        assert.match(i.placeholder ?? '', /Tick at least one method/);
        i.selectedItems = i.items.filter((x) => x.label !== METHODS.esd.label);
        i.pressEnter();
      },
      (i) => {
        seen.push(i);
        assert.match(i.placeholder ?? '', /\(SalUn and RL each run it\)/);
        i.pressBack();
      },
      (i) => {
        methodsShown++;
        assert.deepEqual(
          i.selectedItems.map((x) => x.label),
          [METHODS.salun.label, METHODS.rl.label],
          'Back keeps the ticks',
        );
        i.pressEnter();
      },
      (i) => i.pressEnter(),
    ]);
    const answers = await flow.askGenerationDemo();
    assert.deepEqual(answers, { forgetClass: 7, recipe: 'quick', methods: ['salun', 'rl'] });
    assert.equal(methodsShown, 2);
    assert.deepEqual(
      seen.map((i) => `${i.step}/${i.totalSteps}`),
      ['1/3', '2/3', '3/3'],
    );
  });

  it('Escape at the method step cancels the whole flow', async () => {
    script([(i) => i.pressEnter(), (i) => i.pressEscape()]);
    assert.equal(await flow.askGenerationDemo(), undefined);
  });
});
