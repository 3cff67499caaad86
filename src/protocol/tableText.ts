// One table renderer: a header row and a body of string cells, written as Markdown, as plain text
// for a terminal, or as CSV. Every table the CLI prints, the reports write and the panel exports
// goes through here, so escaping and alignment are decided once. Pure (no DOM, Node or vscode):
// the webview bundle uses it too.

/** How a column's cells sit in their width; Markdown writes it as `---` or `---:`. */
export type Align = 'left' | 'right';

/** Header row first, then the body; every row as long as the header. */
export type Cells = readonly (readonly string[])[];

/**
 * The layout of a results table: the first `leading` columns are names (left), the rest numbers
 * (right). One name column is every renderer's default.
 */
export function alignFrom(columns: number, leading: number): Align[] {
  return Array.from({ length: columns }, (_, i) => (i < leading ? 'left' : 'right'));
}

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * A Markdown (GFM) table cell: a pipe would end the cell and a line break the row, so pipes are
 * escaped and line breaks become spaces. Backslashes are doubled so that a path such as `a\*b`
 * shows as written; inside a code span (`…`) Markdown takes backslashes literally, so there only
 * the pipe is escaped (GFM reads `\|` as a pipe even in code spans).
 */
export function markdownCell(value: string): string {
  return value
    .replace(LINE_BREAK, ' ')
    .split(/(`[^`]*`)/)
    .map((part, i) => {
      const code = i % 2 === 1;
      return (code ? part : part.replace(/\\/g, '\\\\')).replace(/\|/g, '\\|');
    })
    .join('');
}

/** A GFM table: cells escaped, each column's alignment in the delimiter row. */
export function markdownTable(cells: Cells, align: readonly Align[] = alignFrom(cells[0].length, 1)): string {
  const [header, ...body] = cells;
  const line = (row: readonly string[]): string => `| ${row.join(' | ')} |`;
  const delimiter = header.map((_, i) => (align[i] === 'right' ? '---:' : '---'));
  return [line(header.map(markdownCell)), line(delimiter), ...body.map((r) => line(r.map(markdownCell)))].join('\n');
}

// Code points a terminal draws two cells wide (Unicode East Asian Width W and F, UAX #11): CJK,
// Hangul, kana, fullwidth forms. Emoji come from the Emoji_Presentation property instead.
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18aff],
  [0x1b000, 0x1b16f],
  [0x1f200, 0x1f2ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];
// Drawn on the previous cell: combining marks, format characters (ZWJ, soft hyphen), controls and
// the Hangul medial vowels and final consonants that join a leading consonant.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}\u1160-\u11ff]$/u;
const EMOJI = /^\p{Emoji_Presentation}$/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const SKIN_TONE = /^\p{Emoji_Modifier}$/u;
const ZWJ = '\u200d';
const EMOJI_STYLE = '\ufe0f';

function isWide(cp: number): boolean {
  return WIDE.some(([lo, hi]) => cp >= lo && cp <= hi);
}

function isRegionalIndicator(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

/**
 * Columns a monospace terminal gives `text`: wide and fullwidth characters and emoji 2, combining
 * marks and other zero-width characters 0, everything else 1. Emoji sequences count once: a ZWJ
 * sequence (👩‍💻), a skin tone (👍🏽), a flag (two regional indicators); VS16 (U+FE0F) turns a
 * text-style pictograph (❤) into a wide emoji. A close approximation of wcwidth without a
 * dependency; terminals themselves disagree at these edges.
 */
export function displayWidth(text: string): number {
  let width = 0;
  let previous = { ch: '', width: 0 };
  let joined = false;
  let openFlag = false;
  for (const ch of text) {
    if (joined) {
      joined = false;
      continue;
    }
    if (ch === ZWJ) {
      joined = true;
      continue;
    }
    if (ch === EMOJI_STYLE && previous.width === 1 && PICTOGRAPH.test(previous.ch)) {
      width += 1;
      previous = { ch, width: 2 };
      continue;
    }
    if (ZERO_WIDTH.test(ch) || (SKIN_TONE.test(ch) && previous.width > 0)) continue;
    openFlag = isRegionalIndicator(ch) && !openFlag;
    if (isRegionalIndicator(ch) && !openFlag) continue;
    const w = isWide(ch.codePointAt(0) ?? 0) || EMOJI.test(ch) ? 2 : 1;
    width += w;
    previous = { ch, width: w };
  }
  return width;
}

function pad(cell: string, width: number, align: Align | undefined): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(cell)));
  return align === 'right' ? fill + cell : cell + fill;
}

export interface PlainTableOptions {
  /** A line of dashes under the header, as wide as the table (default true). */
  rule?: boolean;
}

/**
 * The table for a terminal: columns two spaces apart, each as wide as its widest cell in display
 * columns (so CJK text and emoji line up), line breaks flattened, no trailing spaces.
 */
export function plainTable(cells: Cells, align: readonly Align[] = alignFrom(cells[0].length, 1), options: PlainTableOptions = {}): string {
  const flat = cells.map((row) => row.map((cell) => cell.replace(LINE_BREAK, ' ')));
  const widths = flat[0].map((_, c) => Math.max(...flat.map((row) => displayWidth(row[c] ?? ''))));
  const lines = flat.map((row) =>
    row
      .map((cell, c) => pad(cell, widths[c], align[c]))
      .join('  ')
      .replace(/ +$/, ''),
  );
  if (options.rule ?? true) lines.splice(1, 0, '-'.repeat(widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1)));
  return lines.join('\n');
}

// A plain decimal or exponent number, sign included: "-3.2" is data, not a formula.
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
// Spreadsheets (Excel, LibreOffice, Google Sheets) evaluate a cell that starts with one of these as
// a formula: a run name, method label or error text from a config file or folder name such as
// `=HYPERLINK("https://…?"&A1)` would run when the user opens the export (OWASP "CSV Injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, inner quotes
 * doubled. A text that a spreadsheet would take for a formula gets a leading apostrophe, which
 * spreadsheets read as "this is text" and do not show; numbers, negative ones included, stay as they are.
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) && !NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface CsvOptions {
  /** RFC 4180's CRLF by default; run folders' own logs use LF. */
  lineEnd?: '\r\n' | '\n';
}

/** The table as CSV, every row ended by the line end (the last one too). */
export function csvTable(cells: Cells, options: CsvOptions = {}): string {
  const end = options.lineEnd ?? '\r\n';
  return cells.map((row) => `${row.map(csvCell).join(',')}${end}`).join('');
}
