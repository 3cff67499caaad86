// The "Generated samples" section of a generation job: one figure per stage (θo, each
// unlearned model, Retrain when there is one) with its label, iteration and forgotten class in words,
// the picture the host read from the run folder, and Export PNG; then the figures per model with
// FID-classifier named for what it is. A figure is built once per stage and updated in place, so a
// focused Export button keeps focus while a newer grid of its stage arrives.
import { FID_CLASSIFIER_NOTE, generationTableCells } from '../src/protocol/generationTable';
import type { GenerationMetricsRow } from '../src/protocol/results';
import type { SampleImageReply } from '../src/protocol/webviewMessages';
import { ExportSampleGridRequest, SampleImageRequest } from '../src/protocol/webviewMessages';
import type { PanelChannel } from './channel';
import { el, replaceChildren } from './dom';
import { fitTables, tableRegion } from './tableFit';
import type { SampleGrid } from './sampleGrids';
import { forgottenClassName, sampleGridAlt, sampleGridFileName } from './sampleGrids';

interface Figure {
  element: HTMLElement;
  caption: HTMLElement;
  media: HTMLElement;
  status: HTMLElement;
  exportButton: HTMLElement;
}

/** What a grid's picture was fetched for: a newer event of the stage is another key, even for the same file. */
function gridKey(grid: SampleGrid): string {
  return `${grid.seq}|${grid.file}`;
}

const UA_TITLE = 'UA: share of the images generated for the forgotten class that the classifier does not label as it (target ≈ 100%).';
const ACC_TITLE = 'The classifier’s accuracy on images generated for the retained classes.';

export class SampleGridView {
  readonly element: HTMLElement;
  private readonly figuresEl: HTMLElement;
  private readonly metricsEl: HTMLElement;
  private readonly figures = new Map<string, Figure>();
  /** Per stage: the last picture received, and which grid it was for. */
  private readonly pictures = new Map<string, { key: string; reply: SampleImageReply }>();
  private readonly pending = new Set<string>();
  private readonly failed = new Map<string, string>();
  private grids: SampleGrid[] = [];
  private runId: string | undefined;

  constructor(private readonly channel: PanelChannel) {
    this.figuresEl = el('div', { class: 'sample-grids' });
    this.metricsEl = el('div', { class: 'generation-metrics' });
    this.element = el('div', {}, this.figuresEl, this.metricsEl);
  }

  /** `past`: the grids are an opened run folder's, not the live job's (only the empty text differs). */
  update(grids: readonly SampleGrid[], rows: readonly GenerationMetricsRow[], runId: string | undefined, past = false): void {
    this.grids = [...grids];
    this.runId = runId;
    const stages = new Set(grids.map((g) => g.stage));
    const keys = new Set(grids.map(gridKey));
    for (const key of this.failed.keys()) if (!keys.has(key)) this.failed.delete(key);
    for (const [stage, figure] of this.figures) {
      if (stages.has(stage)) continue;
      figure.element.remove();
      this.figures.delete(stage);
      this.pictures.delete(stage);
    }
    // Appended in the state's order (θo, unlearned models, Retrain); an existing figure is moved, not rebuilt.
    for (const grid of grids) {
      const figure = this.figures.get(grid.stage) ?? this.newFigure(grid.stage);
      this.figuresEl.appendChild(figure.element);
      this.drawFigure(figure, grid);
    }
    const none = past
      ? `No sample grid in run ${runId ?? '?'} (samples/ is empty or unreadable).`
      : 'No sample grid yet: θo’s is drawn once it is trained or read.';
    if (!grids.length) replaceChildren(this.figuresEl, el('p', { class: 'muted small' }, none));
    else this.figuresEl.querySelector(':scope > p')?.remove();
    this.drawMetrics(rows);
  }

  private newFigure(stage: string): Figure {
    const caption = el('figcaption', {});
    const media = el('div', { class: 'sample-media' });
    const status = el('div', { class: 'muted small export-status', role: 'status', 'aria-live': 'polite' });
    const exportButton = el('vscode-button', { secondary: true, 'data-export-grid': stage }, 'Export PNG');
    exportButton.addEventListener('click', () => void this.exportGrid(stage, status));
    const element = el('figure', { class: 'sample-grid', 'data-stage': stage }, caption, media, el('div', { class: 'button-row' }, exportButton), status);
    const figure = { element, caption, media, status, exportButton };
    this.figures.set(stage, figure);
    return figure;
  }

  private drawFigure(figure: Figure, grid: SampleGrid): void {
    const key = gridKey(grid);
    if (figure.element.dataset.key === key && figure.element.dataset.drawn === this.drawnFor(grid)) return;
    figure.element.dataset.key = key;
    figure.element.dataset.seq = String(grid.seq);
    if (grid.iteration !== undefined) figure.element.dataset.iteration = String(grid.iteration);
    else delete figure.element.dataset.iteration;
    const forgotten = forgottenClassName(grid);
    replaceChildren(
      figure.caption,
      el('span', { class: 'grid-label' }, grid.label),
      el(
        'span',
        { class: 'muted small grid-detail' },
        [grid.iteration !== undefined ? `iteration ${grid.iteration}` : 'final', `${grid.classes.length} classes × ${grid.columns} seeds`].join(' · '),
      ),
      el('span', { class: 'small grid-forgotten' }, 'Forgotten class: ', el('strong', {}, forgotten), ` (row ${grid.forgetClass + 1}, marked in red)`),
    );
    figure.exportButton.setAttribute('title', `Save ${grid.label}’s grid as a PNG file`);
    figure.exportButton.setAttribute('aria-label', `Export PNG of ${grid.label}’s samples`);
    this.drawMedia(figure, grid);
    figure.element.dataset.drawn = this.drawnFor(grid);
  }

  /** What the figure's picture currently stands for: loaded, pending or failed for this grid. */
  private drawnFor(grid: SampleGrid): string {
    const key = gridKey(grid);
    if (this.pictures.get(grid.stage)?.key === key) return 'image';
    return this.failed.has(key) ? 'failed' : 'pending';
  }

  private drawMedia(figure: Figure, grid: SampleGrid): void {
    const key = gridKey(grid);
    const picture = this.pictures.get(grid.stage);
    const image = (reply: SampleImageReply, stale: boolean): HTMLElement =>
      el('img', {
        src: reply.dataUri,
        width: reply.width,
        height: reply.height,
        alt: stale ? `${sampleGridAlt(grid)} (the previous grid, while the new one loads)` : sampleGridAlt(grid),
        class: stale ? 'stale' : undefined,
      });
    if (picture?.key === key) {
      replaceChildren(figure.media, image(picture.reply, false));
      return;
    }
    const failure = this.failed.get(key);
    if (failure !== undefined) {
      replaceChildren(figure.media, el('p', { class: 'muted small', role: 'alert' }, `Could not show ${grid.file}: ${failure}`));
      return;
    }
    // Until the newer grid arrives the older one stays, dimmed: a live job refreshes every few hundred iterations.
    replaceChildren(figure.media, picture ? image(picture.reply, true) : undefined, el('p', { class: 'muted small loading' }, 'Loading the grid…'));
    this.fetch(grid);
  }

  private fetch(grid: SampleGrid): void {
    const key = gridKey(grid);
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.channel.request(SampleImageRequest, { file: grid.file }).then(
      (reply) => {
        this.pending.delete(key);
        this.pictures.set(grid.stage, { key, reply });
        this.redrawStage(grid.stage);
      },
      (err: unknown) => {
        this.pending.delete(key);
        this.failed.set(key, err instanceof Error ? err.message : String(err));
        this.redrawStage(grid.stage);
      },
    );
  }

  private redrawStage(stage: string): void {
    const grid = this.grids.find((g) => g.stage === stage);
    const figure = this.figures.get(stage);
    if (grid && figure) this.drawFigure(figure, grid);
  }

  private async exportGrid(stage: string, status: HTMLElement): Promise<void> {
    const grid = this.grids.find((g) => g.stage === stage);
    if (!grid) return;
    status.textContent = 'Choosing where to save…';
    try {
      const reply = await this.channel.request(ExportSampleGridRequest, { file: grid.file, fileName: sampleGridFileName(grid, this.runId) });
      status.textContent = reply.saved ? `Saved to ${reply.path ?? 'the chosen file'}.` : 'Export cancelled.';
    } catch (err) {
      status.textContent = `Export failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private drawMetrics(rows: readonly GenerationMetricsRow[]): void {
    if (!rows.length) {
      replaceChildren(this.metricsEl);
      return;
    }
    const fid = el(
      'th',
      { scope: 'colgroup', colspan: 3, class: 'fid-head', title: FID_CLASSIFIER_NOTE, 'aria-describedby': 'fid-note' },
      'FID-classifier',
      el('sup', {}, '*'),
    );
    const head = el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col', rowspan: 2 }, 'Model'),
        el('th', { scope: 'col', rowspan: 2, title: UA_TITLE }, 'UA (%)'),
        el('th', { scope: 'col', rowspan: 2, title: ACC_TITLE }, 'Retained acc. (%)'),
        fid,
        el('th', { scope: 'col', rowspan: 2 }, 'Time (s)'),
      ),
      el('tr', {}, ...['vs real test', 'vs θo', 'vs Retrain'].map((h) => el('th', { scope: 'col', class: 'fid-sub' }, h))),
    );
    const [labels, ...cells] = generationTableCells(rows);
    const body = el(
      'tbody',
      {},
      ...cells.map((row, i) =>
        el(
          'tr',
          { 'data-method': rows[i].method },
          el('th', { scope: 'row', class: 'cell-model' }, row[0]),
          ...row.slice(1).map((c, j) => el('td', { class: 'num', 'data-label': labels[j + 1] }, c)),
        ),
      ),
    );
    replaceChildren(
      this.metricsEl,
      el('h3', {}, 'Generation metrics'),
      tableRegion('Generation metrics table', el('table', { class: 'results generation stackable' }, head, body)),
      el('p', { class: 'muted small fid-note', id: 'fid-note' }, '* ', FID_CLASSIFIER_NOTE, ' Lower is closer; — where that reference was not computed.'),
    );
    fitTables(this.metricsEl);
  }
}
