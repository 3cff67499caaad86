// The editor's Audit Unlearning flow, driven in plain Node through the fake `vscode`: methods (the
// audit's defaults ticked), N (the default highlighted), data; the answers make a valid audit config.
import * as assert from 'node:assert/strict';
import { fakeHost, installFakeVscodeHost, resetFakeHost, type FakeQuickInput } from '../support/fakeVscode';
import { parseAuditConfig } from '../../src/protocol/configKinds';
import { DEFAULT_AUDIT_MODELS } from '../../src/protocol/audit';
import { AUDIT_DEFAULT_METHODS, methodLabel } from '../../src/protocol/methods';

installFakeVscodeHost();

type Flow = typeof import('../../src/extension/flows/auditCommand');

describe('Audit Unlearning: the flow', () => {
  let flow: Flow;
  before(() => {
    flow = require('../../src/extension/flows/auditCommand') as Flow;
  });
  beforeEach(() => resetFakeHost());

  it('asks methods (the defaults ticked), N (the default highlighted) and data, and the answers are a valid audit', async () => {
    const shown: FakeQuickInput[] = [];
    fakeHost.answer = (i) => {
      shown.push(i);
      if (shown.length === 1) {
        assert.deepEqual(
          i.selectedItems.map((x) => x.label),
          AUDIT_DEFAULT_METHODS.map(methodLabel),
        );
      }
      if (shown.length === 2) assert.equal(i.activeItems[0]?.label, `N = ${DEFAULT_AUDIT_MODELS}`);
      i.pressEnter();
    };
    const answers = await flow.askAudit();
    assert.ok(answers);
    assert.deepEqual(answers.methods, [...AUDIT_DEFAULT_METHODS]);
    assert.equal(answers.models, DEFAULT_AUDIT_MODELS);
    assert.deepEqual(answers.data, { kind: 'default' });
    const config = parseAuditConfig(flow.auditConfigFromAnswers(answers, { backend: 'wasm' }));
    assert.equal(config.backend, 'wasm');
    assert.equal(shown.length, 3);
  });

  it('says how many score buckets each N allows: ⌈ln(N − 1)⌉ × 2', () => {
    const items = flow.modelCountItems();
    assert.match(items.find((i) => i.value === 8)?.description ?? '', /^4 score buckets/);
    assert.match(items.find((i) => i.value === 32)?.description ?? '', /^8 score buckets/);
  });
});
