// The Retrain-free verdict in the results view (docs/verdict.md): a badge that says the label in words
// (with a glyph beside it, so colour is never the only cue), the score, and the five figures in a
// table folded under a <details>. Built from the rows the view already shows (the unlearned row's
// verdict; θo's and Retrain's as reference lines), so a past run opened in the panel gets it too.
// Words and digits come from protocol/verdictText.ts: the panel says what report.md says.
import type { EvaluatedModel } from '../src/protocol/results';
import {
  FORGETTING_MEANINGS,
  pointsNote,
  unlearnedVerdict,
  utilityText,
  verdictAxes,
  verdictReason,
  verdictTableCells,
  type ForgettingAxis,
} from '../src/protocol/verdictText';
import { el } from './dom';
import { tableRegion } from './tableFit';
import { termsNote } from '../src/protocol/terms';

/** The forgetting axis's badge; utility is a second badge beside it (verdictAxes). */
const BADGES: Record<ForgettingAxis, { glyph: string; text: string; className: string }> = {
  'looks unseen': { glyph: '✓', text: 'Looks unseen', className: 'verdict-unseen' },
  'still remembers': { glyph: '!', text: 'Still remembers', className: 'verdict-remembers' },
  'forgot more than unseen data': { glyph: '↓', text: 'Forgot more than unseen data', className: 'verdict-overforgot' },
};

const REFERENCE_NAMES = { original: 'Original (θo)', retrain: 'Retrain' } as const;

function figuresTable(cells: string[][]): HTMLElement {
  const [head, ...body] = cells;
  return tableRegion(
    'Verdict figures',
    el(
      'table',
      { class: 'results verdict-table stackable' },
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
      el(
        'tbody',
        {},
        ...body.map(([name, ...rest]) =>
          el('tr', {}, el('th', { scope: 'row', class: 'cell-model' }, name), ...rest.map((c, i) => el('td', { class: 'num', 'data-label': head[i + 1] }, c))),
        ),
      ),
    ),
  );
}

/** θo's and Retrain's verdicts, one line each: how the verdict reads the two ends it should tell apart. */
function referenceLines(rows: readonly EvaluatedModel[]): HTMLElement | undefined {
  const refs = rows.flatMap((r) =>
    r.verdict && (r.role === 'original' || r.role === 'retrain') ? [{ name: REFERENCE_NAMES[r.role], v: r.verdict, gap: r.avgGap }] : [],
  );
  if (!refs.length) return undefined;
  return el(
    'ul',
    { class: 'verdict-references muted small', 'aria-label': 'Verdict on the reference models' },
    ...refs.map(({ name, v, gap }) =>
      el('li', {}, `${name}: ${v.label}, score ${v.points.toFixed(2)} points${gap !== undefined ? ` (Avg. Gap ${gap.toFixed(2)})` : ''}`),
    ),
  );
}

/** The verdict block for a run's rows; undefined when the unlearned model has no verdict (older runs, tables). */
export function verdictBlock(rows: readonly EvaluatedModel[]): HTMLElement | undefined {
  const v = unlearnedVerdict(rows);
  if (!v) return undefined;
  const axes = verdictAxes(v);
  const badge = BADGES[axes.forgetting];
  const gap = rows.find((r) => r.role === 'unlearned')?.avgGap;
  return el(
    'div',
    { class: 'verdict', id: 'verdict', 'data-label': axes.forgetting, 'data-utility': axes.utility, role: 'group', 'aria-labelledby': 'verdict-title' },
    el(
      'div',
      { class: 'verdict-head' },
      el('span', { class: 'verdict-title', id: 'verdict-title' }, 'Without a Retrain: '),
      el(
        'span',
        { class: `verdict-badge verdict-forgetting ${badge.className}` },
        el('span', { 'aria-hidden': 'true', class: 'verdict-glyph' }, badge.glyph),
        ` ${badge.text}`,
      ),
      el(
        'span',
        { class: `verdict-badge verdict-utility ${axes.utility === 'lost' ? 'verdict-overforgot' : 'verdict-unseen'}` },
        el('span', { 'aria-hidden': 'true', class: 'verdict-glyph' }, axes.utility === 'lost' ? '↓' : '✓'),
        ` ${utilityText(axes).replace(/^./, (c) => c.toUpperCase())}`,
      ),
      el(
        'span',
        { class: 'verdict-score muted small' },
        ` score ${v.points.toFixed(2)} points · mean |z| ${v.meanAbsZ.toFixed(1)}${gap !== undefined ? ` · Avg. Gap ${gap.toFixed(2)}` : ''}`,
      ),
    ),
    el(
      'p',
      { class: 'verdict-meaning small' },
      `${FORGETTING_MEANINGS[axes.forgetting].replace(/^./, (c) => c.toUpperCase())}: ${verdictReason(v.figures, v.k)}.`,
    ),
    el(
      'details',
      { class: 'verdict-figures' },
      el('summary', {}, `Figures: Df against ${v.heldOut.size} held-out samples (${v.heldOut.source})`),
      figuresTable(verdictTableCells(v)),
      el(
        'p',
        { class: 'muted small' },
        `Threshold: ±k·σ, σ from ${v.splits} random halvings of the held-out data, k = ${v.k.toFixed(3)} (α = ${v.alpha} over five figures, Bonferroni). ${pointsNote(v)} Took ${v.seconds.toFixed(1)} s.`,
      ),
      el('p', { class: 'muted small terms-note' }, termsNote()),
      referenceLines(rows),
    ),
  );
}
