// The side panel in a real browser: headless Chromium loads the panel as VS Code would
// (panelPage.ts), replays a recorded job (fixture.ts) and runs the named cases of cases/ in order,
// checking what is drawn and what is asked. Screenshots in light, dark and both high-contrast themes
// go to .artifacts/webview/. Builds nothing: run `npm run build` first.
// Prints `webview: N passed, N failed`; the exit code is non-zero on any failure.
//   node scripts/webview-test.mjs [--headed] [--keep-open]
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx, Entry } from './cases/case';
import { handshake } from './cases/handshake';
import { runSetup } from './cases/runSetup';
import { saliency } from './cases/saliency';
import { results } from './cases/results';
import { previews } from './cases/previews';
import { legend } from './cases/legend';
import { comparison } from './cases/comparison';
import { exports } from './cases/exports';
import { narrow } from './cases/narrow';
import { widths } from './cases/widths';
import { themes } from './cases/themes';
import { reload } from './cases/reload';
import { pastRun } from './cases/pastRun';
import { generation } from './cases/generation';
import { progress } from './cases/progress';
import { jobCaption } from './cases/caption';
import { hygiene } from './cases/hygiene';
import { loadFixture } from './fixture';
import { check, newResults, type Results } from './harness';
import { findChromium, NEEDED, PanelPage } from './panelPage';

/** In order: later cases read the page earlier ones left. */
export const CASES: readonly Entry[] = [
  ...handshake,
  ...runSetup,
  ...saliency,
  ...results,
  ...previews,
  ...legend,
  ...comparison,
  ...exports,
  ...narrow,
  ...widths,
  ...themes,
  ...reload,
  ...pastRun,
  ...generation,
  ...progress,
  ...jobCaption,
  ...hygiene,
];

function summary(r: Results, code?: number): number {
  console.log(`webview: ${r.passed} passed, ${r.failed} failed`);
  return code ?? (r.failed > 0 || r.passed === 0 ? 1 : 0);
}

async function runCases(ctx: Ctx, r: Results): Promise<void> {
  for (const entry of CASES) {
    if ('name' in entry) {
      await check(r, entry.name, () => entry.run(ctx));
      continue;
    }
    try {
      await entry.run(ctx);
    } catch (e) {
      throw new Error(`setup "${entry.setup}" failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Runs every case; resolves with the exit code. `root`: the repository. */
export async function main(root: string, argv: readonly string[]): Promise<number> {
  const r = newResults();
  const missing = NEEDED.filter((p) => !existsSync(join(root, p)));
  if (missing.length) {
    console.error(`[webview-test] missing ${missing.join(', ')}; run \`npm run build\` first`);
    r.failed++;
    return summary(r, 2);
  }
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    console.error('[webview-test] no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
    r.failed++;
    return summary(r, 2);
  }
  const artifacts = join(root, '.artifacts', 'webview');
  mkdirSync(artifacts, { recursive: true });
  // Any folder does for the recorder's workspace placeholder; the panel only shows these paths.
  const fx = loadFixture(root, root);
  console.log(`webview: ${fx.source}; ${fx.events.length} events, ${fx.summary.layers.length} layers, ${fx.trendEpochs.length} epochs`);

  const panel = await PanelPage.open(root, chromiumPath, argv.includes('--headed'));
  let code: number | undefined;
  try {
    await runCases({ panel, fx, artifacts }, r);
  } catch (e) {
    r.failed++;
    console.log(`  ✗ the test itself failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    try {
      await panel.page.screenshot({ path: join(artifacts, 'failure.png'), fullPage: true });
    } catch {
      /* best effort */
    }
    code = 1;
  } finally {
    if (!argv.includes('--keep-open')) await panel.close();
  }
  if (r.failures.length) console.log(`failed: ${r.failures.join('; ')}`);
  console.log(`screenshots: ${artifacts}`);
  return summary(r, code);
}
