// Turns a chart on screen into a standalone SVG file: the panel styles it with CSS classes and
// theme variables, which a file opened elsewhere does not have, so every computed colour, dash and
// font is written onto the copy, as presentation attributes (fill="…"): the panel's CSP forbids
// style attributes, and these are not styles. PNG goes through an <img> of that SVG on a canvas.

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
] as const;

export interface LegendEntry {
  label: string;
  /** An element in the chart whose stroke (or fill) is this entry's colour. */
  sample?: Element;
  dash?: string;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** `chart` must be in the document (its computed style is read). */
export function standaloneSvg(chart: SVGSVGElement, legend: readonly LegendEntry[] = []): string {
  const copy = chart.cloneNode(true) as SVGSVGElement;
  const svg = (tag: string, attrs: Record<string, string | number>, text?: string): Element => {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const from = [chart, ...Array.from(chart.querySelectorAll('*'))];
  const to = [copy, ...Array.from(copy.querySelectorAll('*'))];
  from.forEach((node, i) => {
    const cs = getComputedStyle(node);
    const target = to[i];
    for (const p of STYLE_PROPS) {
      const v = cs.getPropertyValue(p);
      if (v) target.setAttribute(p, v);
    }
    target.removeAttribute('class');
  });
  const [, , w, h] = (chart.getAttribute('viewBox') ?? '0 0 320 170').split(/\s+/).map(Number);
  const legendH = legend.length ? 16 : 0;
  copy.setAttribute('viewBox', `0 0 ${w} ${h + legendH}`);
  copy.setAttribute('width', String(w * 2));
  copy.setAttribute('height', String((h + legendH) * 2));
  const rootStyle = getComputedStyle(document.documentElement);
  const background =
    rootStyle.getPropertyValue('--vscode-sideBar-background').trim() || rootStyle.getPropertyValue('--vscode-editor-background').trim() || '#ffffff';
  const foreground = getComputedStyle(document.body).color;
  copy.insertBefore(svg('rect', { x: 0, y: 0, width: w, height: h + legendH, fill: background }), copy.firstChild);
  let x = 30;
  for (const entry of legend) {
    const cs = entry.sample ? getComputedStyle(entry.sample) : undefined;
    const colour = cs && cs.stroke !== 'none' ? cs.stroke : (cs?.fill ?? foreground);
    copy.appendChild(
      svg('line', { x1: x, x2: x + 12, y1: h + 8, y2: h + 8, stroke: colour, 'stroke-width': 2, ...(entry.dash ? { 'stroke-dasharray': entry.dash } : {}) }),
    );
    copy.appendChild(
      svg('text', { x: x + 15, y: h + 11, fill: foreground, 'font-size': '9px', 'font-family': getComputedStyle(document.body).fontFamily }, entry.label),
    );
    x += 20 + entry.label.length * 5.5;
  }
  copy.setAttribute('xmlns', SVG_NS);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

/** Rasterises a standalone SVG at its width/height attributes; resolves with base64 PNG bytes. */
export function svgToPngBase64(svgText: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth || 640;
      canvas.height = img.naturalHeight || 340;
      const ctx = canvas.getContext('2d');
      if (!ctx) {
        reject(new Error('no 2D canvas'));
        return;
      }
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      resolve(canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, ''));
    };
    img.onerror = () => reject(new Error('the chart could not be rasterised'));
    // data: is allowed by the panel's img-src; a blob: URL would need another CSP source.
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  });
}
