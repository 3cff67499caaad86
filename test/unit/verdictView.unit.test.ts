// The panel's verdict block (webview/verdictView.ts) built against a minimal stand-in for the DOM
// (the view only creates elements, sets attributes and appends): the label as words beside a
// glyph, the figures' table folded in a <details>, with the cells report.md uses, and the
// reference models' lines. The verdict is computed by the engine from synthetic per-sample outputs.
import { strict as assert } from 'node:assert';
import type { EvaluatedModel, RunVerdict } from '../../src/protocol/results';
import { verdictAxes, verdictTableCells } from '../../src/protocol/verdictText';
import { makeRng } from '../../src/engine/rng';
import { retrainFreeVerdict, type SampleOutputs } from '../../src/engine/metrics/verdict';
import { toRunVerdict } from '../../src/engine/pipeline/classification/verdictStep';
import { verdictBlock } from '../../webview/verdictView';

class FakeText {
  constructor(readonly textContent: string) {}
}

class FakeElement {
  readonly attributes = new Map<string, string>();
  childNodes: (FakeElement | FakeText)[] = [];
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  appendChild<T extends FakeElement | FakeText>(child: T): T {
    this.childNodes.push(child);
    return child;
  }
  replaceChildren(...children: (FakeElement | FakeText)[]): void {
    this.childNodes = children;
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
  }
  /** Every descendant element that matches. */
  all(match: (e: FakeElement) => boolean): FakeElement[] {
    return this.childNodes.flatMap((c) => (c instanceof FakeElement ? [...(match(c) ? [c] : []), ...c.all(match)] : []));
  }
  one(match: (e: FakeElement) => boolean, what: string): FakeElement {
    const found = this.all(match);
    assert.equal(found.length, 1, `${what}: ${found.length} found`);
    return found[0];
  }
}

const hasClass =
  (name: string) =>
  (e: FakeElement): boolean =>
    (e.getAttribute('class') ?? '').split(' ').includes(name);
const tag =
  (name: string) =>
  (e: FakeElement): boolean =>
    e.tagName === name;

/** Outputs of a model on n samples: accuracy `acc`, losses and confidences drawn around it (seeded). */
function outputs(n: number, acc: number, seed: number): SampleOutputs {
  const rand = makeRng(seed);
  const correct = Float64Array.from({ length: n }, () => (rand() < acc ? 1 : 0));
  const loss = Float64Array.from(correct, (c) => (c ? 0.05 + 0.3 * rand() : 1 + 2 * rand()));
  return { correct, loss, confidence: Float64Array.from(loss, (l) => Math.max(Math.exp(-l), 0.4 + 0.2 * rand())) };
}

function verdictOn(forgetAcc: number, seed: number): RunVerdict {
  const v = retrainFreeVerdict(
    { forget: outputs(300, forgetAcc, seed), heldOut: outputs(400, 0.85, seed + 1), retain: outputs(600, 0.97, seed + 2), originalRetainAccuracy: 97 },
    { seed, splits: 50 },
  );
  return toRunVerdict(v, { size: 400, source: 'the test set' }, 0.25);
}

const metrics = { UA: 5, RA: 95, TA: 85, MIA: 10 };

describe("the panel's verdict block", () => {
  const saved = (globalThis as { document?: unknown }).document;
  before(() => {
    (globalThis as { document?: unknown }).document = {
      createElement: (t: string) => new FakeElement(t),
      createTextNode: (t: string) => new FakeText(t),
    };
  });
  after(() => {
    (globalThis as { document?: unknown }).document = saved;
  });

  it('is absent for rows without a verdict (older runs, tables)', () => {
    assert.equal(verdictBlock([{ role: 'unlearned', method: 'salun', metrics, seconds: 1 }]), undefined);
    assert.equal(verdictBlock([]), undefined);
  });

  it('shows the label as a badge with words, the score, and the figures in a folded table', () => {
    const remembers = verdictOn(1, 3);
    assert.equal(remembers.label, 'still remembers', remembers.reason);
    const unseen = verdictOn(0.85, 4);
    const rows: EvaluatedModel[] = [
      { role: 'original', method: 'original', metrics, seconds: 1, avgGap: 6, verdict: remembers },
      { role: 'retrain', method: 'retrain', metrics, seconds: 1, avgGap: 0, verdict: unseen },
      { role: 'unlearned', method: 'salun', metrics, seconds: 1, avgGap: 2.5, verdict: remembers },
    ];
    const block = verdictBlock(rows) as unknown as FakeElement;
    assert.equal(block.getAttribute('data-label'), 'still remembers');
    const badge = block.one(hasClass('verdict-forgetting'), 'badge');
    assert.ok(badge.textContent.includes('Still remembers'), badge.textContent);
    assert.ok(block.one(hasClass('verdict-utility'), 'utility badge').textContent.startsWith('✓ Utility retained (RA '), 'the second axis beside it');
    assert.equal(badge.one(hasClass('verdict-glyph'), 'glyph').getAttribute('aria-hidden'), 'true');
    assert.ok(block.one(hasClass('verdict-score'), 'score').textContent.includes(`score ${remembers.points.toFixed(2)} points`));
    assert.ok(block.one(hasClass('verdict-meaning'), 'meaning').textContent.includes(remembers.reason));

    const details = block.one(tag('details'), 'details');
    assert.equal(details.getAttribute('open'), null, 'the figures start folded');
    assert.ok(details.one(tag('summary'), 'summary').textContent.includes('400 held-out samples'));
    const cells = verdictTableCells(remembers);
    const headers = details
      .one(tag('thead'), 'thead')
      .all(tag('th'))
      .map((th) => th.textContent);
    assert.deepEqual(headers, cells[0]);
    const body = details
      .one(tag('tbody'), 'tbody')
      .all(tag('tr'))
      .map((tr) => tr.childNodes.map((c) => c.textContent));
    assert.deepEqual(body, cells.slice(1));
    assert.equal(body.length, 5);

    const refs = block
      .one(hasClass('verdict-references'), 'references')
      .all(tag('li'))
      .map((li) => li.textContent);
    assert.deepEqual(refs, [
      `Original (θo): still remembers, score ${remembers.points.toFixed(2)} points (Avg. Gap 6.00)`,
      `Retrain: ${unseen.label}, score ${unseen.points.toFixed(2)} points (Avg. Gap 0.00)`,
    ]);
  });

  it('says forgetting and utility apart: Df like unseen data but retain accuracy lost is not "forgot too much"', () => {
    const v = toRunVerdict(
      retrainFreeVerdict(
        { forget: outputs(300, 0.85, 6), heldOut: outputs(400, 0.85, 7), retain: outputs(600, 0.9, 8), originalRetainAccuracy: 97 },
        { seed: 6, splits: 50 },
      ),
      { size: 400, source: 'the test set' },
      0.25,
    );
    assert.equal(v.label, 'over-forgot', 'the stored one-word label mixes the axes');
    const axes = verdictAxes(v);
    assert.equal(axes.forgetting, 'looks unseen', v.reason);
    assert.equal(axes.utility, 'lost');
    assert.ok(axes.retainChange < -5, `${axes.retainChange}`);
    const block = verdictBlock([{ role: 'unlearned', method: 'salun', metrics, seconds: 1, verdict: v }]) as unknown as FakeElement;
    assert.ok(block.one(hasClass('verdict-forgetting'), 'badge').textContent.includes('Looks unseen'));
    assert.ok(block.one(hasClass('verdict-utility'), 'utility').textContent.includes('Utility lost (RA −'));
  });

  it('each label has its own words and class, so colour is never the only cue', () => {
    const seen = new Map<string, string>();
    for (const [acc, seed] of [
      [1, 3],
      [0.85, 4],
      [0.3, 5],
    ] as const) {
      const v = verdictOn(acc, seed);
      const block = verdictBlock([{ role: 'unlearned', method: 'rl', metrics, seconds: 1, verdict: v }]) as unknown as FakeElement;
      const badge = block.one(hasClass('verdict-forgetting'), 'badge');
      seen.set(verdictAxes(v).forgetting, `${badge.getAttribute('class')} ${badge.textContent}`);
      assert.equal(block.all(hasClass('verdict-references')).length, 0, 'no reference lines without θo or Retrain verdicts');
    }
    assert.deepEqual([...seen.keys()].sort(), ['forgot more than unseen data', 'looks unseen', 'still remembers']);
    assert.equal(new Set(seen.values()).size, 3);
  });

  it('the sentence is derived from the figures it shows, not read from a stored reason', () => {
    const v = verdictOn(0.85, 4);
    const retain = v.figures.find((f) => f.name === 'retain');
    assert.ok(retain);
    // A run whose retain accuracy gained beyond its threshold, stored with a sentence that hides it.
    const gained = { ...retain, forget: retain.reference + 2.93, gap: 2.93, threshold: 0.9, noise: 0.9 / v.k, z: 8.4 };
    const stale: RunVerdict = {
      ...v,
      label: 'looks unseen',
      reason: 'every figure is within ±2.58σ',
      figures: v.figures.map((f) => (f.name === 'retain' ? gained : f)),
    };
    const block = verdictBlock([{ role: 'unlearned', method: 'salun', metrics, seconds: 1, verdict: stale }]) as unknown as FakeElement;
    const meaning = block.one(hasClass('verdict-meaning'), 'meaning').textContent;
    assert.ok(!meaning.includes('every figure is within'), meaning);
    assert.ok(meaning.includes(`retain accuracy above θo`) && meaning.includes('z +8.4'), meaning);
  });
});
