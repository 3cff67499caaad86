// What the cases read off the real panel: its sparsity bars, the mask summary, the histogram and its
// theme colours, each as one evaluate() in the panel's document so a reading is consistent.
import type { Workbench } from './workbench';

export interface BarReading {
  name: string;
  /** data-fraction: the salient fraction the bar stands for. */
  fraction: number;
  /** The fill's style width, e.g. "42.5%". */
  width: string;
  /** The fill's drawn width over the track's. */
  rendered: number;
  /** The text beside the bar, "<percent> · <salient>/<total>". */
  value: string;
}

export interface SummaryReading {
  gammaText: string;
  gammaTitle: string;
  /** The mask summary's weights line, "<salient>/<total> (…)". */
  weights: string;
  readout: string;
}

export interface HistogramReading {
  bars: number;
  salient: number;
  gamma: string | null;
  w: number;
  h: number;
}

export interface ThemeReading {
  /** The vscode-* classes on <body>. */
  classes: string;
  /** body[data-theme]: what the panel's own script saw. */
  dataTheme: string;
  color: string;
  /** The first non-transparent background of body and html, if any. */
  ownBg?: string;
  sideBarBg: string;
  /** What is behind the (transparent) webview: the view pane's background. */
  workbench: string;
}

/** "1,234" → 1234 */
export function count(s: string): number {
  return Number(s.replace(/[^\d]/g, ''));
}

/** "<salient>/<total> (…)" → [salient, total] */
export function salientOfTotal(text: string): [number, number] {
  const [salient, total] = text.split('(')[0].split('/').map(count);
  return [salient, total];
}

/** A bar's "<percent> · <salient>/<total>" → [salient, total] */
export function barCounts(b: BarReading): [number, number] {
  const [salient, total] = b.value.split('·')[1].split('/').map(count);
  return [salient, total];
}

export function readBars(wb: Workbench): Promise<BarReading[]> {
  return wb.inPanel(() =>
    [...document.querySelectorAll<HTMLElement>('#saliency li.layer')].map((li) => {
      const fill = li.querySelector<HTMLElement>('.bar-fill');
      const track = li.querySelector('.bar-track');
      return {
        name: li.dataset.layer ?? '',
        fraction: Number(li.dataset.fraction),
        width: fill?.style.width ?? '',
        rendered: fill && track ? fill.getBoundingClientRect().width / track.getBoundingClientRect().width : NaN,
        value: li.querySelector('.layer-value')?.textContent ?? '',
      };
    }),
  );
}

export function readSummary(wb: Workbench): Promise<SummaryReading> {
  return wb.inPanel(() => {
    const dds = [...document.querySelectorAll('#mask-summary dd')].map((d) => d.textContent ?? '');
    const g = document.querySelector('#gamma-value span');
    return {
      gammaText: g?.textContent ?? '',
      gammaTitle: g?.getAttribute('title') ?? '',
      weights: dds[2] ?? '',
      readout: document.querySelector('#gamma-readout')?.textContent ?? '',
    };
  });
}

export function readHistogram(wb: Workbench): Promise<HistogramReading | undefined> {
  return wb.inPanel(() => {
    const svg = document.querySelector('#saliency svg.histogram');
    if (!svg) return undefined;
    const box = svg.getBoundingClientRect();
    return {
      bars: svg.querySelectorAll('rect.hist-bar').length,
      salient: svg.querySelectorAll('rect.hist-bar.salient').length,
      gamma: svg.querySelector('line.gamma-line')?.getAttribute('data-gamma') ?? null,
      w: box.width,
      h: box.height,
    };
  });
}

async function panelTheme(wb: Workbench): Promise<Omit<ThemeReading, 'workbench'>> {
  return wb.inPanel(() => {
    const bg = (e: Element): string => getComputedStyle(e).backgroundColor;
    const transparent = (c: string): boolean => c === 'transparent' || /rgba\(.*,\s*0\)$/.test(c);
    const root = getComputedStyle(document.documentElement);
    return {
      classes: [...document.body.classList].filter((c) => c.startsWith('vscode-')).join(' '),
      dataTheme: document.body.dataset.theme ?? '',
      color: getComputedStyle(document.body).color,
      ownBg: [document.body, document.documentElement].map(bg).find((c) => !transparent(c)),
      sideBarBg: root.getPropertyValue('--vscode-sideBar-background').trim(),
    };
  });
}

/** What is behind the (transparent) webview in the workbench: the view pane's background. */
function workbenchBg(wb: Workbench): Promise<string> {
  return wb.webviewElement().evaluate((frame) => {
    // The webview iframe lives in an overlay; the view it belongs to is the sidebar/auxiliary bar.
    for (const sel of ['.part.sidebar', '.part.auxiliarybar', '.monaco-workbench']) {
      const e = document.querySelector(sel);
      if (e) {
        const c = getComputedStyle(e).backgroundColor;
        if (c && c !== 'rgba(0, 0, 0, 0)') return `${sel} ${c}`;
      }
    }
    return getComputedStyle(frame).backgroundColor;
  });
}

/** The panel's theme classes only (cheap, for polling a theme switch). */
export async function themeClasses(wb: Workbench): Promise<string> {
  return (await panelTheme(wb)).classes;
}

export async function readTheme(wb: Workbench): Promise<ThemeReading> {
  return { ...(await panelTheme(wb)), workbench: await workbenchBg(wb) };
}
