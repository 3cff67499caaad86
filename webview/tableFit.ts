// Tables that reflow rather than cut: a table is drawn as a grid while it fits the width
// it is given, and as cards (a row per card, each value under its column's name: the `stacked`
// class, media/panel.css) when it does not. The test is the table's own width, measured, not a
// breakpoint: the same table needs ≈ 520 px in one font and 560 px in another, and an editor tab
// gives each section ≈ 500 px at any window width, so no fixed breakpoint is right for every case.
// A table that cannot stack (generation metrics, with column groups) scrolls in its labelled region.
import { el } from './dom';

/** Wraps `table` in a focusable, labelled region that scrolls sideways only if stacking is not enough. */
export function tableRegion(label: string, table: HTMLTableElement): HTMLElement {
  const wrap = el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': label }, table);
  observer()?.observe(wrap);
  return wrap;
}

/** Stacks the table of `wrap` if, drawn as a grid, it is wider than `wrap`. Synchronous (two layouts). */
export function fitTable(wrap: HTMLElement): void {
  const table = wrap.querySelector<HTMLTableElement>(':scope > table.stackable');
  if (!table) return;
  const available = wrap.clientWidth;
  // Hidden (a folded section, closed details): nothing to measure; the observer calls again when shown.
  if (available === 0) return;
  // Measured as a grid: a stacked table's width says nothing about whether the grid would fit.
  table.classList.remove('stacked');
  const stack = Math.ceil(table.getBoundingClientRect().width) > available;
  table.classList.toggle('stacked', stack);
  wrap.dataset.fit = stack ? 'stacked' : 'grid';
}

/** Fits every table region under `root`, now (after a section was redrawn or shown). */
export function fitTables(root: ParentNode): void {
  for (const wrap of Array.from(root.querySelectorAll<HTMLElement>('.table-wrap'))) fitTable(wrap);
}

const widths = new WeakMap<Element, number>();
let shared: ResizeObserver | undefined;

/**
 * One observer for every region. It refits on the next frame, not in its callback: stacking changes
 * the region's height, and a size change made inside the callback would end the frame with an
 * undelivered notification (the "ResizeObserver loop" error).
 */
function observer(): ResizeObserver | undefined {
  if (shared || typeof ResizeObserver === 'undefined') return shared;
  shared = new ResizeObserver((entries) => {
    const changed = entries.filter((e) => {
      const w = Math.round(e.contentRect.width);
      if (widths.get(e.target) === w) return false;
      widths.set(e.target, w);
      return true;
    });
    if (changed.length) requestAnimationFrame(() => changed.forEach((e) => fitTable(e.target as HTMLElement)));
  });
  return shared;
}
