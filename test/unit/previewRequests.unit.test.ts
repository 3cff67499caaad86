// A slider sends values faster than any host answers: at most one preview request is in flight,
// the latest wish waits, late or unknown answers are dropped, a silent host does not block forever.
import { strict as assert } from 'node:assert';
import { PreviewRequests } from '../../webview/previewRequests';

describe('preview request flow control', () => {
  it('sends at once when idle, then queues only the latest value until the answer', () => {
    const p = new PreviewRequests(1000);
    const first = p.want('ratio', 0.1, 0);
    assert.deepEqual(first, { requestId: 1, by: 'ratio', value: 0.1 });
    assert.equal(p.want('ratio', 0.2, 10), undefined);
    assert.equal(p.want('gamma', 1e-3, 20), undefined);
    const answer = p.answered(1, 30);
    assert.equal(answer.accept, true);
    assert.deepEqual(answer.next, { requestId: 2, by: 'gamma', value: 1e-3 });
    assert.deepEqual(p.pending, answer.next);
    assert.deepEqual(p.answered(2, 40), { accept: true });
    assert.equal(p.pending, undefined);
  });

  it('drops answers that are not for the request in flight', () => {
    const p = new PreviewRequests(1000);
    p.want('ratio', 0.1, 0);
    assert.deepEqual(p.answered(7, 5), { accept: false });
    assert.equal(p.pending?.requestId, 1);
  });

  it('sends again after the timeout when the host never answered, and ignores the late answer', () => {
    const p = new PreviewRequests(1000);
    p.want('ratio', 0.1, 0);
    assert.equal(p.want('ratio', 0.2, 999), undefined);
    assert.deepEqual(p.want('ratio', 0.3, 1000), { requestId: 2, by: 'ratio', value: 0.3 });
    assert.deepEqual(p.answered(1, 1001), { accept: false });
    assert.equal(p.answered(2, 1002).next, undefined, 'the value queued before the resend is superseded');
  });
});
