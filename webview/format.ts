// Number formatting for the panel (durations: protocol/jobProgress.ts, shared with the status bar). Pure.

/** Splits x into mantissa and power of ten for "1.23 × 10⁻⁴"; exponent 0 for 0 or non-finite x. */
export function scientificParts(x: number, digits = 2): { mantissa: string; exponent: number } {
  if (!Number.isFinite(x) || x === 0) return { mantissa: Number.isFinite(x) ? '0' : String(x), exponent: 0 };
  const [m, e] = x.toExponential(digits).split('e');
  return { mantissa: m, exponent: Number(e) };
}

/** Plain-text scientific notation, for tooltips: "1.23e-4". */
export function formatScientific(x: number, digits = 2): string {
  const { mantissa, exponent } = scientificParts(x, digits);
  return exponent === 0 ? mantissa : `${mantissa}e${exponent}`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Metrics arrive already in percent. */
export function formatMetric(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(2);
}

/**
 * A run folder as the panel shows it: the extension's runs live at <workspace folder>/.salun/runs/<id>
 * (store/runs/runFolder.ts), so from `.salun` on it is the path relative to the workspace, the same
 * on every machine; another folder (a CLI `--out`) is shown whole. The full path goes in the tooltip.
 */
export function runFolderLabel(runDir: string): { text: string; title: string } {
  const m = /(?:^|[\\/])(\.salun[\\/]runs[\\/][^\\/]+)[\\/]?$/.exec(runDir);
  return { text: m ? m[1].replace(/\\/g, '/') : runDir, title: runDir };
}
