// The "Results" section: the evaluated models' UA, RA, TA, MIA, Avg. Gap and time, of the live job
// or (Open in Panel) of the opened run, with the terms note and the verdict under the table.
import { methodDisplayName, RESULTS_NOTE } from '../src/protocol/comparisonFormat';
import type { EvaluatedModel } from '../src/protocol/results';
import { METRIC_NAMES } from '../src/protocol/results';
import { settingText } from '../src/protocol/runLabels';
import { termsNote } from '../src/protocol/terms';
import type { ResultsReads, ShownResults } from './panelState';
import { shownResults } from './panelState';
import type { SectionContext, SectionPart } from './section';
import { el, replaceChildren } from './dom';
import { formatMetric } from './format';
import { fitTables, tableRegion } from './tableFit';
import { verdictBlock } from './verdictView';

const ROLE_NAMES = { original: 'Original', retrain: 'Retrain', unlearned: 'Unlearned' } as const;

export function resultsSection(ctx: SectionContext): SectionPart<ResultsReads> {
  const body = el('div');
  const section = ctx.fold('Results', body);
  return {
    elements: [section],
    render: (state) => {
      const shown = shownResults(state);
      const has = shown.rows.length > 0 || shown.past;
      section.hidden = !has;
      section.dataset.source = shown.past ? 'run' : 'live';
      if (shown.runId) section.dataset.run = shown.runId;
      else delete section.dataset.run;
      if (has) renderResults(body, shown);
      else replaceChildren(body);
    },
  };
}

function renderResults(body: HTMLElement, shown: ShownResults): void {
  const setting = shown.setting ? settingText(shown.setting) : '';
  const source = el(
    'div',
    { class: 'results-source', id: 'results-source', 'data-source': shown.past ? 'run' : 'live' },
    el('div', { class: 'results-source-label' }, shown.past ? shown.label : `Live: current job${shown.runId ? ` · ${shown.runId}` : ''}`),
    setting || shown.method
      ? el('div', { class: 'muted small' }, [shown.method ? methodDisplayName(shown.method) : '', setting].filter(Boolean).join(' · '))
      : undefined,
  );
  if (!shown.rows.length) {
    replaceChildren(body, source, el('p', { class: 'muted small' }, 'This run folder has no evaluated models (report.json).'));
    return;
  }
  const columns = ['Model', 'Method', ...METRIC_NAMES, 'Avg. Gap', 'Time (s)'];
  const head = el('tr', {}, ...columns.map((h) => el('th', { scope: 'col' }, h)));
  replaceChildren(
    body,
    source,
    tableRegion(
      'Results table',
      el(
        'table',
        { class: 'results stackable' },
        el('caption', { class: 'muted small' }, RESULTS_NOTE),
        el('thead', {}, head),
        el('tbody', {}, ...shown.rows.map(resultRow)),
      ),
    ),
    el('p', { class: 'muted small terms-note' }, termsNote()),
    verdictBlock(shown.rows),
  );
  fitTables(body);
}

function resultRow(r: EvaluatedModel): HTMLElement {
  return el(
    'tr',
    { class: `row-${r.role}` },
    el('th', { scope: 'row', class: 'cell-model' }, ROLE_NAMES[r.role] ?? r.role),
    el('td', { class: 'cell-method', 'data-label': 'Method' }, r.method),
    ...METRIC_NAMES.map((m) => el('td', { class: 'num', 'data-label': m }, formatMetric(r.metrics[m]))),
    el('td', { class: 'num inline-label', 'data-label': 'Avg. Gap' }, formatMetric(r.avgGap)),
    el('td', { class: 'num inline-label', 'data-label': 'Time (s)' }, Number.isFinite(r.seconds) ? r.seconds.toFixed(1) : '—'),
  );
}
