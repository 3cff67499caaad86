#!/usr/bin/env node
// The side panel in a real browser: headless Chromium (playwright-core) loads the panel exactly as
// VS Code would (the HTML of src/extension/panelHtml.ts with its CSP and nonce, dist/webview.js,
// media/panel.css) with a stub acquireVsCodeApi that records what the panel posts, replays a
// recorded job (test/fixtures/panel-replay.json: the events of a real SalUn run and the host's real
// answers, and what "Open in Panel" sends for a past run with that run's metrics.jsonl), and checks
// what is drawn and what is asked. Screenshots in light, dark and both high-contrast themes go to
// .artifacts/webview/. Builds nothing: run `npm run build` first.
// Prints `webview: N passed, N failed`; exits non-zero on any failure.
//   node scripts/webview-test.mjs [--headed] [--keep-open]
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const artifacts = join(root, '.artifacts', 'webview');
const fixturePath = join(root, 'test/fixtures/panel-replay.json');

const THEMES = {
  light: {
    class: 'vscode-light',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
      '--vscode-foreground': '#616161', '--vscode-descriptionForeground': '#717171', '--vscode-disabledForeground': '#a5a5a5', '--vscode-errorForeground': '#a1260d',
      '--vscode-sideBar-background': '#f3f3f3', '--vscode-editor-background': '#ffffff', '--vscode-sideBarSectionHeader-foreground': '#616161',
      '--vscode-focusBorder': '#0090f1', '--vscode-widget-border': '#d4d4d4', '--vscode-editorWidget-background': '#f3f3f3',
      '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#616161', '--vscode-input-border': '#cecece',
      '--vscode-button-background': '#007acc', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0062a3',
      '--vscode-button-secondaryBackground': '#5f6a79', '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-list-hoverBackground': '#e8e8e8', '--vscode-list-inactiveSelectionBackground': '#e4e6f1', '--vscode-textLink-foreground': '#006ab1',
      '--vscode-progressBar-background': '#0e70c0', '--vscode-charts-red': '#e51400', '--vscode-charts-green': '#388a34', '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-yellow': '#bf8803', '--vscode-charts-purple': '#652d90', '--vscode-editorWarning-foreground': '#bf8803',
    },
  },
  dark: {
    class: 'vscode-dark',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
      '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-disabledForeground': '#6b6b6b', '--vscode-errorForeground': '#f48771',
      '--vscode-sideBar-background': '#252526', '--vscode-editor-background': '#1e1e1e', '--vscode-sideBarSectionHeader-foreground': '#cccccc',
      '--vscode-focusBorder': '#007fd4', '--vscode-widget-border': '#303031', '--vscode-editorWidget-background': '#252526',
      '--vscode-input-background': '#3c3c3c', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c',
      '--vscode-button-background': '#0e639c', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#1177bb',
      '--vscode-button-secondaryBackground': '#3a3d41', '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-list-inactiveSelectionBackground': '#37373d', '--vscode-textLink-foreground': '#3794ff',
      '--vscode-progressBar-background': '#0e70c0', '--vscode-charts-red': '#f14c4c', '--vscode-charts-green': '#89d185', '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-yellow': '#cca700', '--vscode-charts-purple': '#b180d7', '--vscode-editorWarning-foreground': '#cca700',
    },
  },
  // VS Code's high-contrast defaults (its color registry's hcDark / hcLight values). HC light also
  // carries the vscode-high-contrast class, as VS Code sets both on a webview's <body>.
  hcDark: {
    class: 'vscode-high-contrast',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
      '--vscode-foreground': '#ffffff', '--vscode-descriptionForeground': '#ffffffb3', '--vscode-disabledForeground': '#a5a5a5', '--vscode-errorForeground': '#f48771',
      '--vscode-sideBar-background': '#000000', '--vscode-editor-background': '#000000', '--vscode-sideBarSectionHeader-foreground': '#ffffff',
      '--vscode-focusBorder': '#f38518', '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-widget-border': '#6fc3df', '--vscode-editorWidget-background': '#0c141f',
      '--vscode-input-background': '#000000', '--vscode-input-foreground': '#ffffff', '--vscode-input-border': '#6fc3df',
      '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-list-hoverBackground': '#ffffff1a', '--vscode-textLink-foreground': '#21a6ff',
      '--vscode-progressBar-background': '#6fc3df', '--vscode-charts-red': '#f48771', '--vscode-charts-green': '#89d185', '--vscode-charts-blue': '#59a4f9',
      '--vscode-charts-yellow': '#ffd370', '--vscode-charts-purple': '#b180d7', '--vscode-editorWarning-foreground': '#ffd370',
    },
  },
  hcLight: {
    class: 'vscode-high-contrast vscode-high-contrast-light',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
      '--vscode-foreground': '#292929', '--vscode-descriptionForeground': '#292929b3', '--vscode-disabledForeground': '#7f7f7f', '--vscode-errorForeground': '#b5200d',
      '--vscode-sideBar-background': '#ffffff', '--vscode-editor-background': '#ffffff', '--vscode-sideBarSectionHeader-foreground': '#292929',
      '--vscode-focusBorder': '#006bbd', '--vscode-contrastBorder': '#0f4a85', '--vscode-contrastActiveBorder': '#006bbd',
      '--vscode-widget-border': '#0f4a85', '--vscode-editorWidget-background': '#ffffff',
      '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#292929', '--vscode-input-border': '#0f4a85',
      '--vscode-button-background': '#0f4a85', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#0f4a85',
      '--vscode-button-secondaryBackground': '#ffffff', '--vscode-button-secondaryForeground': '#292929',
      '--vscode-list-hoverBackground': '#0f4a851a', '--vscode-textLink-foreground': '#0f4a85',
      '--vscode-progressBar-background': '#0f4a85', '--vscode-charts-red': '#b5200d', '--vscode-charts-green': '#374e06', '--vscode-charts-blue': '#0063d3',
      '--vscode-charts-yellow': '#895503', '--vscode-charts-purple': '#652d90', '--vscode-editorWarning-foreground': '#895503',
    },
  },
};

// ---------------------------------------------------------------------------------------------
// results

let passed = 0;
let failed = 0;
const failures = [];

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`  ✓ ${name}`);
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`  ✗ ${name}\n      ${String(e?.message ?? e).split('\n').join('\n      ')}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function assertEqual(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function assertClose(actual, expected, what, tol = 1e-9) {
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

/** '#rrggbb' as getComputedStyle writes it. */
function rgb(hex) {
  return `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
}

/** WCAG 2 contrast ratio of a computed colour (alpha blended over `bg`) against `bg`. */
function contrastRatio(fgCss, bgCss) {
  const parse = (css) => {
    const m = /rgba?\(([^)]+)\)/.exec(css);
    if (!m) throw new Error(`not a computed colour: ${css}`);
    const [r, g, b, a = 1] = m[1].split(',').map(Number);
    return { r, g, b, a };
  };
  const bg = parse(bgCss);
  const fg = parse(fgCss);
  const over = (c) => fg.a * fg[c] + (1 - fg.a) * bg[c];
  const lum = (c) => {
    const [r, g, b] = [c.r, c.g, c.b].map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const l1 = lum({ r: over('r'), g: over('g'), b: over('b') });
  const l2 = lum(bg);
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

function finish(code) {
  console.log(`webview: ${passed} passed, ${failed} failed`);
  process.exit(code ?? (failed > 0 || passed === 0 ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// inputs and server

function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'].filter(Boolean);
  return candidates.find((c) => existsSync(c));
}

const needed = ['dist/webview.js', 'media/panel.css', 'out/src/extension/panelHtml.js'];
const missing = needed.filter((p) => !existsSync(join(root, p)));
if (missing.length) {
  console.error(`[webview-test] missing ${missing.join(', ')}; run \`npm run build\` first`);
  failed++;
  finish(2);
}
const chromiumPath = findChromium();
if (!chromiumPath) {
  console.error('[webview-test] no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  failed++;
  finish(2);
}

// The recorder writes the workspace folder as a placeholder (no machine's paths in the repository);
// any folder does here, the panel only shows and returns these paths.
const fixture = JSON.parse(readFileSync(fixturePath, 'utf8').replaceAll('{{workspace}}', JSON.stringify(root).slice(1, -1)));
const { panelHtml, createNonce } = require(join(root, 'out/src/extension/panelHtml.js'));
const { chromium } = require('playwright-core');

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/') {
    const origin = `http://${req.headers.host}`;
    const html = panelHtml({ scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/panel.css`, cspSource: origin }, createNonce());
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    return;
  }
  // The browser's own favicon request; the panel asks for none.
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  // Only what the panel's localResourceRoots allow: dist/ and media/.
  const rel = normalize(url.pathname).replace(/^\/+/, '');
  if (!/^(dist|media)\//.test(rel) || rel.includes('..') || !existsSync(join(root, rel))) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(readFileSync(join(root, rel)));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// ---------------------------------------------------------------------------------------------
// the browser

const headed = process.argv.includes('--headed');
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: !headed,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
const context = await browser.newContext({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
const page = await context.newPage();
const problems = [];
page.on('console', (msg) => {
  const text = msg.text();
  if (msg.type() === 'error' || /Content Security Policy|Refused to/.test(text)) problems.push(`[console.${msg.type()}] ${text}`);
});
page.on('pageerror', (e) => problems.push(`[pageerror] ${e.stack ?? e}`));
page.on('requestfailed', (r) => problems.push(`[requestfailed] ${r.url()} ${r.failure()?.errorText ?? ''}`));
page.on('response', (r) => { if (r.status() >= 400) problems.push(`[http ${r.status()}] ${r.url()}`); });

// What VS Code gives a webview: acquireVsCodeApi (once), the theme class on <body>, the variables on <html>.
await page.addInitScript(({ theme }) => {
  window.__posted = [];
  window.__warnings = [];
  // Like VS Code, the state outlives a reload of the webview (kept here in sessionStorage).
  let saved = sessionStorage.getItem('__vscodeState') ? JSON.parse(sessionStorage.getItem('__vscodeState')) : undefined;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    return {
      postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => saved,
      setState: (s) => { saved = JSON.parse(JSON.stringify(s)); window.__saved = saved; sessionStorage.setItem('__vscodeState', JSON.stringify(saved)); },
    };
  };
  const warn = console.warn.bind(console);
  console.warn = (...a) => { window.__warnings.push(a.map(String).join(' ')); warn(...a); };
  window.__applyTheme = (t) => {
    // VS Code replaces the whole set: a variable the new theme lacks (contrastBorder) is gone.
    const style = document.documentElement.style;
    for (const k of Array.from(style).filter((p) => p.startsWith('--vscode-'))) style.removeProperty(k);
    for (const [k, v] of Object.entries(t.vars)) style.setProperty(k, v);
    document.documentElement.style.background = t.vars['--vscode-sideBar-background'];
    document.body.className = t.class;
  };
  document.addEventListener('DOMContentLoaded', () => window.__applyTheme(theme));
}, { theme: THEMES.dark });

const posted = () => page.evaluate(() => window.__posted);
const postedOfType = async (type) => (await posted()).filter((m) => m.type === type);
const send = (message) => page.evaluate((m) => window.postMessage(m, '*'), message);
const frame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
async function until(what, fn, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const barFractions = () => page.$$eval('li.layer', (lis) => lis.map((li) => ({ name: li.dataset.layer, fraction: Number(li.dataset.fraction) })));

const events = fixture.events;
const saliencyEvent = events.find((e) => e.type === 'saliency');
const summary = saliencyEvent.summary;
const finished = events.find((e) => e.type === 'finished');
const trendEpochs = [...new Set(events.filter((e) => e.type === 'metrics' && e.role === 'unlearned').map((e) => e.epoch))];
const retrainRow = events.find((e) => e.type === 'evaluated' && e.row.role === 'retrain').row;
const METRICS = ['UA', 'RA', 'TA', 'MIA'];
// A past run as "Open in Panel" shows it: the host's runTrend message, and that run's metrics.jsonl
// as it was on disk, read here line by line without the host's reader.
const pastTrend = fixture.pastRun.runTrend;
const pastLines = fixture.pastRun.metricsJsonl.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const pastPoints = pastLines.filter((l) => l.role === 'unlearned');
const pastRetrain = pastLines.filter((l) => l.role === 'retrain').at(-1);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

console.log(`webview: ${fixture.source}; ${events.length} events, ${summary.layers.length} layers, ${trendEpochs.length} epochs`);
mkdirSync(artifacts, { recursive: true });
let exitCode;
try {
  await page.goto(origin, { waitUntil: 'load' });

  await check('the panel says ready once its script listens', async () => {
    const ready = await until("'ready'", async () => (await postedOfType('ready')).length);
    assertEqual(ready, 1, 'ready messages');
  });

  await send({ type: 'replay', events, jobRunning: false });
  await send(fixture.scores);
  await send({ type: 'runs', runs: fixture.runs });
  await page.waitForSelector('li.layer');
  await frame();

  await check('one bar per layer, with the fractions of the saliency event', async () => {
    const bars = await barFractions();
    assertEqual(bars.length, summary.layers.length, 'bar count');
    summary.layers.forEach((l, i) => {
      assertEqual(bars[i].name, l.name, `bar ${i} name`);
      assertClose(bars[i].fraction, l.salientFraction, `${l.name} fraction`);
    });
    const widths = await page.$$eval('li.layer .bar-fill', (fs) => fs.map((f) => f.style.width));
    summary.layers.forEach((l, i) => {
      assert(widths[i].endsWith('%'), `${l.name} bar width ${widths[i]}`);
      assertClose(parseFloat(widths[i]), l.salientFraction * 100, `${l.name} bar width (%)`, 0.005);
    });
  });

  await check('γ readout shows the job’s γ and salient count', async () => {
    assertEqual(await page.getAttribute('#gamma-value span', 'title'), String(summary.gamma), 'γ in the summary');
    const readout = await page.textContent('#gamma-readout');
    assert(readout.includes(summary.salientWeights.toLocaleString('en-US')) && readout.includes(summary.totalWeights.toLocaleString('en-US')), `readout "${readout}" lacks ${summary.salientWeights} of ${summary.totalWeights}`);
    const mantissa = summary.gamma.toExponential(3).split('e')[0];
    assert(readout.includes(mantissa), `readout "${readout}" lacks γ's mantissa ${mantissa}`);
    assertEqual(await page.inputValue('#gamma-input'), `${mantissa}e${Number(summary.gamma.toExponential(3).split('e')[1])}`, 'γ input');
    assertClose(Number(await page.inputValue('#ratio-slider')), summary.ratio, 'slider', 1e-9);
  });

  await check('histogram: the host’s bins, with γ drawn where it falls', async () => {
    const h = fixture.scores.histogram;
    assertEqual(await page.locator('svg.histogram rect.hist-bar').count(), h.bins.length, 'histogram bars');
    assertEqual(await page.getAttribute('svg.histogram .gamma-line', 'data-gamma'), String(summary.gamma), 'γ line');
    const salientBins = await page.locator('svg.histogram rect.hist-bar.salient').count();
    const expected = h.bins.filter((_, i) => h.log10Min + (i + 0.5) * ((h.log10Max - h.log10Min) / h.bins.length) >= Math.log10(summary.gamma)).length;
    assertEqual(salientBins, expected, 'bins right of γ');
  });

  await check('trend chart: one point per epoch per series, Retrain reference lines, Avg. Gap chart', async () => {
    for (const m of METRICS) {
      assertEqual(await page.locator(`svg.trend-chart:not(.gap-chart) circle[data-series="${m}"]`).count(), trendEpochs.length, `${m} points`);
      assertEqual(await page.locator(`svg.trend-chart line.ref-retrain[data-series="${m}"]`).count(), 1, `Retrain ${m} line`);
    }
    assertEqual(await page.locator('svg.gap-chart circle[data-series="gap"]').count(), trendEpochs.length, 'Avg. Gap points');
    const lastEpoch = trendEpochs[trendEpochs.length - 1];
    const last = events.filter((e) => e.type === 'metrics' && e.epoch === lastEpoch).pop().metrics;
    const gap = mean(METRICS.map((m) => Math.abs(last[m] - retrainRow.metrics[m])));
    const title = await page.textContent(`svg.gap-chart circle[data-epoch="${lastEpoch}"] title`);
    assert(title.includes(gap.toFixed(2)), `gap point title "${title}" lacks ${gap.toFixed(2)}`);
    const uaTitle = await page.textContent(`svg.trend-chart circle[data-series="UA"][data-epoch="${lastEpoch}"] title`);
    assert(uaTitle.includes(last.UA.toFixed(2)) && uaTitle.includes(`Retrain ${retrainRow.metrics.UA.toFixed(2)}`), `UA point title "${uaTitle}"`);
  });

  await check('results: the final rows with their Avg. Gap', async () => {
    const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assertEqual(rows.length, finished.result.rows.length, 'result rows');
    const u = finished.result.rows.find((r) => r.role === 'unlearned');
    assertEqual(rows[2][6], u.avgGap.toFixed(2), 'SalUn Avg. Gap');
  });

  let requestId;
  await check('moving the slider posts one previewThreshold request', async () => {
    await page.locator('#ratio-slider').fill('0.1');
    const reqs = await until('a preview request', () => postedOfType('previewThreshold').then((r) => (r.length ? r : undefined)));
    assertEqual(reqs.length, 1, 'requests');
    assertEqual(reqs[0].by, 'ratio', 'by');
    assertClose(reqs[0].value, 0.1, 'value');
    assert(Number.isSafeInteger(reqs[0].requestId), 'requestId is an integer');
    requestId = reqs[0].requestId;
    assertEqual(await page.inputValue('#ratio-input'), '0.1', 'the number box follows the slider');
  });

  await check('while one request is in flight, further moves wait and only the latest is kept', async () => {
    await page.locator('#ratio-slider').fill('0.2');
    await page.locator('#ratio-slider').fill('0.9');
    await frame();
    assertEqual((await postedOfType('previewThreshold')).length, 1, 'requests in flight');
  });

  await check('the answer redraws the bars; then the latest wish (0.9) is asked, not 0.2', async () => {
    const p10 = fixture.previews['ratio:0.1'];
    await send({ type: 'thresholdPreview', requestId, ...p10 });
    await until('bars at ratio 0.1', async () => Math.abs((await barFractions())[0].fraction - p10.layers[0].fraction) < 1e-12);
    const bars = await barFractions();
    p10.layers.forEach((l, i) => assertClose(bars[i].fraction, l.fraction, `${l.name} at ratio 0.1`));
    assert(p10.layers.some((l, i) => Math.abs(l.fraction - summary.layers[i].salientFraction) > 1e-6), 'the preview should differ from the job’s mask');
    assertEqual(await page.getAttribute('svg.histogram .gamma-line', 'data-gamma'), String(p10.gamma), 'γ line follows the preview');
    const reqs = await until('the queued request', () => postedOfType('previewThreshold').then((r) => (r.length === 2 ? r : undefined)));
    assertClose(reqs[1].value, 0.9, 'queued value');
    assert(reqs[1].requestId !== requestId, 'a new request id');
    requestId = reqs[1].requestId;
  });

  await check('a stale answer is ignored; the current one is drawn', async () => {
    await send({ type: 'thresholdPreview', requestId: requestId - 1, ...fixture.previews['ratio:0.2'] });
    await frame();
    const p10 = fixture.previews['ratio:0.1'];
    assertClose((await barFractions())[0].fraction, p10.layers[0].fraction, 'bars unchanged by a stale answer');
    const p90 = fixture.previews['ratio:0.9'];
    await send({ type: 'thresholdPreview', requestId, ...p90 });
    await until('bars at ratio 0.9', async () => Math.abs((await barFractions()).at(-1).fraction - p90.layers.at(-1).fraction) < 1e-12);
    const bars = await barFractions();
    p90.layers.forEach((l, i) => assertClose(bars[i].fraction, l.fraction, `${l.name} at ratio 0.9`));
    const readout = await page.textContent('#gamma-readout');
    assert(readout.includes(p90.salientWeights.toLocaleString('en-US')), `readout "${readout}" lacks ${p90.salientWeights}`);
  });

  await check('typing γ asks by γ and shows the ratio it implies', async () => {
    await page.locator('#gamma-input').fill('1e-3');
    await page.locator('#gamma-input').press('Enter');
    const reqs = await until('a γ request', () => postedOfType('previewThreshold').then((r) => (r.length === 3 ? r : undefined)));
    assertEqual(reqs[2].by, 'gamma', 'by');
    assertClose(reqs[2].value, 0.001, 'γ');
    const pg = fixture.previews['gamma:0.001'];
    await page.locator('#gamma-input').blur();
    await send({ type: 'thresholdPreview', requestId: reqs[2].requestId, ...pg });
    await until('bars at γ 1e-3', async () => Math.abs((await barFractions())[0].fraction - pg.layers[0].fraction) < 1e-12);
    assertEqual(await page.inputValue('#ratio-input'), String(Number(pg.ratio.toFixed(4))), 'ratio box');
  });

  await check('"Apply to next run" posts the previewed ratio', async () => {
    const pg = fixture.previews['gamma:0.001'];
    await page.click('vscode-button[data-action="applySaliencyRatio"]');
    const applied = await until('applySaliencyRatio', () => postedOfType('applySaliencyRatio').then((r) => r[0]));
    assertEqual(applied.ratio, Number(pg.ratio.toFixed(4)), 'ratio');
  });

  await check('a malformed host message is ignored and logged', async () => {
    const before = (await page.evaluate(() => window.__warnings)).length;
    await send({ type: 'thresholdPreview', requestId: 'x', ratio: 'all' });
    await frame();
    const warnings = await page.evaluate(() => window.__warnings);
    assert(warnings.length === before + 1 && /ignored an unexpected message/.test(warnings.at(-1)), `warnings: ${JSON.stringify(warnings.slice(before))}`);
    assertEqual((await barFractions()).length, summary.layers.length, 'bars still drawn');
  });

  await check('legend: clicking UA hides its points and lines; the choice is persisted', async () => {
    const ua = page.locator('button.legend-item[data-series="UA"]');
    await ua.click();
    assertEqual(await ua.getAttribute('aria-pressed'), 'false', 'aria-pressed');
    assertEqual(await page.locator('svg.trend-chart [data-series="UA"]').count(), 0, 'UA elements');
    assertEqual(await page.locator('svg.trend-chart:not(.gap-chart) circle[data-series="RA"]').count(), trendEpochs.length, 'RA points stay');
    await until('UA saved as hidden with setState', () => page.evaluate(() => window.__saved?.ui?.hiddenSeries?.includes('UA')), 3000);
  });

  await check('legend and chart work from the keyboard', async () => {
    const ta = page.locator('button.legend-item[data-series="TA"]');
    await ta.focus();
    await page.keyboard.press('Space');
    assertEqual(await page.getAttribute('button.legend-item[data-series="TA"]', 'aria-pressed'), 'false', 'TA hidden by Space');
    assert(await page.evaluate(() => document.activeElement?.dataset.series === 'TA'), 'focus stays on the TA button');
    await page.keyboard.press('Enter');
    assertEqual(await page.getAttribute('button.legend-item[data-series="TA"]', 'aria-pressed'), 'true', 'TA shown by Enter');
    await page.locator('button.legend-item[data-series="UA"]').click();
    await page.locator('.trend-charts').focus();
    await page.keyboard.press('End');
    const lastEpoch = trendEpochs.at(-1);
    const last = events.filter((e) => e.type === 'metrics' && e.epoch === lastEpoch).pop().metrics;
    const readout = await page.textContent('.trend-readout');
    assert(readout.startsWith(`epoch ${lastEpoch}: UA ${last.UA.toFixed(2)}`), `readout "${readout}"`);
    await page.keyboard.press('ArrowLeft');
    assert((await page.textContent('.trend-readout')).startsWith(`epoch ${trendEpochs.at(-2)}:`), 'ArrowLeft moves to the previous epoch');
    assertEqual(await page.locator('svg.trend-chart line.cursor').count(), 2, 'cursor line in both charts');
  });

  const currentRun = finished.result.runId;
  const bestRun = [...fixture.runs].sort((a, b) => a.rows.find((r) => r.role === 'unlearned').avgGap - b.rows.find((r) => r.role === 'unlearned').avgGap)[0];
  await check('comparison: the current run preselected, Retrain first', async () => {
    const rows = await page.$$eval('table.comparison tbody tr', (trs) => trs.map((tr) => ({ cls: tr.className, run: tr.dataset.run ?? '', label: tr.querySelector('th').textContent })));
    assertEqual(rows.length, 2, 'rows');
    assertEqual(rows[0].label, 'Retrain', 'first row');
    assertEqual(rows[1].run, currentRun, 'the current run');
  });

  await check('comparison: adding runs lists them once under one Retrain, best gap marked', async () => {
    for (const run of fixture.runs) {
      const box = page.locator(`input[type="checkbox"][data-run="${run.runId}"]`);
      if (!(await box.isChecked())) await box.check();
    }
    const rows = await page.$$eval('table.comparison tbody tr', (trs) => trs.map((tr) => ({ cls: tr.className, run: tr.dataset.run ?? '', cells: [...tr.children].map((c) => c.textContent) })));
    const retrains = new Set(fixture.runs.map((r) => JSON.stringify(r.rows.find((x) => x.role === 'retrain').metrics)));
    assertEqual(rows.length, fixture.runs.length + retrains.size, 'rows');
    assert(rows.slice(0, retrains.size).every((r) => r.cls.includes('row-retrain')), 'Retrain rows first');
    const best = rows.filter((r) => r.cls.split(' ').includes('best'));
    assertEqual(best.length, 1, 'best rows');
    assertEqual(best[0].run, bestRun.runId, 'best run');
    assertEqual(best[0].cells[7], bestRun.rows.find((r) => r.role === 'unlearned').avgGap.toFixed(2), 'best gap cell');
  });

  await check('a run’s "saliency" link asks the host to load that run folder’s map', async () => {
    const run = fixture.runs.at(-1);
    await page.locator(`input[data-run="${run.runId}"] ~ button.link-button`).click();
    const msg = await until('loadRunSaliency', () => postedOfType('loadRunSaliency').then((r) => r[0]));
    assertEqual(msg.runDir, run.dir, 'runDir');
  });

  await check('export CSV: the comparison, one line per row', async () => {
    await page.click('vscode-button[data-export="csv"]');
    const msg = await until('a csv export', () => postedOfType('export').then((r) => r.find((m) => m.format === 'csv')));
    const lines = msg.content.trimEnd().split('\r\n');
    assertEqual(lines[0], 'Model,Run,Ratio,UA,RA,TA,MIA,Avg. Gap,Time (s)', 'header');
    assertEqual(lines.length, 1 + (await page.locator('table.comparison tbody tr').count()), 'lines');
    assertEqual(msg.fileName, 'salun-comparison.csv', 'file name');
  });

  await check('export Markdown report', async () => {
    await page.click('vscode-button[data-export="md"]');
    const msg = await until('an md export', () => postedOfType('export').then((r) => r.find((m) => m.format === 'md')));
    for (const heading of ['# SalUn Lab report', '## Results', '## Saliency mask', '## Metric trends', '## Comparison of runs']) assert(msg.content.includes(heading), `report lacks "${heading}"`);
    assert(msg.content.includes(`| ${summary.layers[0].name} |`), 'report lacks the layer table');
  });

  await check('export SVG: standalone, colours inlined from the theme', async () => {
    await page.click('vscode-button[data-export="svg"]');
    const msg = await until('an svg export', () => postedOfType('export').then((r) => r.find((m) => m.format === 'svg')));
    assert(msg.content.includes('xmlns="http://www.w3.org/2000/svg"'), 'no xmlns');
    assert(!/class="/.test(msg.content), 'classes left in the export');
    assert(msg.content.includes('stroke="rgb(241, 76, 76)"'), 'the dark theme’s charts-red (UA) is not inlined');
    assert(!/style="/.test(msg.content), 'style attributes (the CSP forbids them)');
    assert(msg.content.includes('>Retrain<'), 'no legend');
  });

  await check('export PNG: a real PNG drawn from the SVG', async () => {
    await page.click('vscode-button[data-export="png"]');
    const msg = await until('a png export', () => postedOfType('export').then((r) => r.find((m) => m.format === 'png')));
    const bytes = Buffer.from(msg.content, 'base64');
    assertEqual(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'signature');
    assertEqual(bytes.readUInt32BE(16), 640, 'width (2× the chart)');
    assert(bytes.length > 2000, `only ${bytes.length} bytes`);
  });

  await check('a theme change redraws the charts in the new colours; screenshots', async () => {
    await page.evaluate(() => { window.__oldChart = document.querySelector('svg.trend-chart'); });
    for (const name of ['light', 'dark']) {
      await page.evaluate((t) => window.__applyTheme(t), THEMES[name]);
      await frame();
      assert(await page.evaluate(() => !window.__oldChart.isConnected), `${name}: the chart was not rebuilt`);
      await page.evaluate(() => { window.__oldChart = document.querySelector('svg.trend-chart'); });
      const stroke = await page.$eval('svg.trend-chart polyline.series-RA', (e) => getComputedStyle(e).stroke);
      assertEqual(stroke, rgb(THEMES[name].vars['--vscode-charts-green']), `${name}: RA line colour`);
      await page.screenshot({ path: join(artifacts, `panel-${name}.png`), fullPage: true });
    }
  });

  for (const name of ['hcDark', 'hcLight']) {
    await check(`high contrast (${name}): contrast borders, wider lines, a strong focus outline, readable text; screenshot`, async () => {
      const t = THEMES[name];
      await page.evaluate((theme) => window.__applyTheme(theme), t);
      await frame();
      const bg = rgb(t.vars['--vscode-sideBar-background']);
      const chart = await page.$eval('svg.trend-chart:not(.gap-chart)', (c) => {
        const cs = (sel) => getComputedStyle(c.querySelector(sel));
        return {
          raStroke: cs('polyline.series-RA').stroke, raWidth: cs('polyline.series-RA').strokeWidth,
          refOpacity: cs('line.ref-retrain').strokeOpacity, grid: cs('line.grid').stroke, label: cs('text.axis-label').fill,
        };
      });
      assertEqual(chart.raStroke, rgb(t.vars['--vscode-charts-green']), 'RA line colour');
      assert(parseFloat(chart.raWidth) >= 2.5, `RA line ${chart.raWidth} wide; HC draws lines at least 2.5 px`);
      assertEqual(chart.refOpacity, '1', 'Retrain reference lines fully opaque');
      assertEqual(chart.grid, rgb(t.vars['--vscode-contrastBorder']), 'grid lines in the contrast border colour');
      assertEqual(chart.label, rgb(t.vars['--vscode-foreground']), 'axis labels in the foreground colour');
      assertEqual(await page.$eval('.layer .bar-track', (e) => getComputedStyle(e).borderTopColor), rgb(t.vars['--vscode-contrastBorder']), 'bar outline');

      await page.locator('.trend-charts').focus();
      await page.keyboard.press('Home');
      const outline = await page.$eval('.trend-charts', (e) => ({ focus: e.matches(':focus-visible'), color: getComputedStyle(e).outlineColor, width: getComputedStyle(e).outlineWidth, style: getComputedStyle(e).outlineStyle }));
      assert(outline.focus, 'the chart is focused from the keyboard');
      assertEqual(outline.color, rgb(t.vars['--vscode-contrastActiveBorder']), 'focus outline colour');
      assertEqual(outline.style, 'solid', 'focus outline style');
      assert(parseFloat(outline.width) >= 2, `focus outline ${outline.width} wide`);
      await page.locator('button.legend-item[data-series="RA"]').focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Shift+Tab');
      const legendOutline = await page.$eval('button.legend-item[data-series="RA"]', (e) => ({ focus: e.matches(':focus-visible'), color: getComputedStyle(e).outlineColor, width: getComputedStyle(e).outlineWidth }));
      assert(legendOutline.focus, 'the legend button is focused from the keyboard');
      assertEqual(legendOutline.color, rgb(t.vars['--vscode-contrastActiveBorder']), 'legend focus outline colour');
      assert(parseFloat(legendOutline.width) >= 2, `legend focus outline ${legendOutline.width} wide`);

      // Every kind of text the panel draws, at WCAG AAA (7:1) against the panel's background.
      const texts = await page.evaluate(() => {
        const pick = (sel, prop = 'color') => { const e = document.querySelector(sel); return e ? { sel, color: getComputedStyle(e)[prop] } : undefined; };
        return [pick('.trend-source-label'), pick('#trend .muted'), pick('.trend-readout'), pick('.legend-item'), pick('.layer-value'), pick('.summary dt'),
          pick('#results thead th'), pick('svg.trend-chart text.axis-label', 'fill'), pick('svg.histogram text.axis-label', 'fill')].filter(Boolean);
      });
      assert(texts.length >= 8, `only ${texts.length} text samples found`);
      for (const { sel, color } of texts) {
        const ratio = contrastRatio(color, bg);
        assert(ratio >= 7, `${sel}: ${color} on ${bg} has contrast ${ratio.toFixed(2)}:1, below 7:1`);
      }
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(artifacts, `panel-${name === 'hcDark' ? 'hc-dark' : 'hc-light'}.png`), fullPage: true });
    });
  }
  await page.evaluate((t) => window.__applyTheme(t), THEMES.dark);
  await frame();

  await check('a reload draws the saved state at once, before the host replays anything', async () => {
    // The saved state is the job's event log and the UI choices; a γ preview is the host's answer
    // to a moving slider, not saved, so after a reload the bars are the job's own mask again.
    const bars = summary.layers.map((l) => ({ name: l.name, fraction: l.salientFraction }));
    const points = await page.$$eval('svg.trend-chart circle', (c) => c.length);
    const hidden = await page.evaluate(() => window.__saved?.ui?.hiddenSeries ?? []);
    await new Promise((r) => setTimeout(r, 400)); // the panel persists at most 4×/s
    await page.reload({ waitUntil: 'load' });
    await frame();
    assertEqual((await postedOfType('ready')).length, 1, 'ready after the reload');
    const after = await barFractions();
    assertEqual(after.length, bars.length, 'bars after the reload');
    after.forEach((b, i) => { assertEqual(b.name, bars[i].name, `bar ${i}`); assertClose(b.fraction, bars[i].fraction, `${b.name} after the reload`, 1e-9); });
    assertEqual(await page.$$eval('svg.trend-chart circle', (c) => c.length), points, 'trend points after the reload');
    assertEqual(JSON.stringify(await page.evaluate(() => window.__saved?.ui?.hiddenSeries ?? [])), JSON.stringify(hidden), 'legend choice after the reload');
  });

  // The trend charts as drawn: per metric the epochs and the value in each point's tooltip.
  const drawnTrend = () => page.evaluate((metrics) => {
    const chart = document.querySelector('#trend:not([hidden]) svg.trend-chart:not(.gap-chart)');
    if (!chart) return undefined;
    const out = {};
    for (const m of metrics) out[m] = [...chart.querySelectorAll(`circle[data-series="${m}"]`)].map((c) => ({ epoch: Number(c.dataset.epoch), title: c.querySelector('title').textContent }));
    return out;
  }, METRICS);
  const trendSource = () => page.evaluate(() => {
    const src = document.querySelector('#trend .trend-source');
    const live = document.querySelector('#trend vscode-button[data-action="showLiveTrend"]');
    return { sectionHidden: document.querySelector('#trend').hidden, source: src?.dataset.source, label: src?.querySelector('.trend-source-label')?.textContent ?? '', liveButton: !!live && !live.hidden && live.getBoundingClientRect().width > 0 };
  });
  const assertLivePoints = async (what) => {
    const drawn = await drawnTrend();
    assert(drawn, `${what}: no trend chart`);
    for (const m of METRICS) assertEqual(JSON.stringify(drawn[m].map((p) => p.epoch)), JSON.stringify(trendEpochs), `${what}: live ${m} epochs`);
  };

  await check('the trend is labelled as the live job’s, with no "Show live trends" button', async () => {
    const src = await trendSource();
    assertEqual(src.source, 'live', 'data-source');
    assert(src.label.startsWith('Live: current job') && src.label.includes(currentRun), `label "${src.label}"`);
    assert(!src.liveButton, 'the "Show live trends" button is shown in live mode');
  });

  await check('a past run (runTrend) draws exactly the points of its metrics.jsonl, labelled with its run id', async () => {
    assert(pastPoints.length > 0, 'the fixture’s past run has no unlearned lines');
    if (pastPoints.length === trendEpochs.length) console.log('      (note: the past run has as many epochs as the live job; re-record with another run to tell them apart by count)');
    await send(pastTrend);
    await until('the past run’s trend', async () => (await trendSource()).source === 'run');
    const src = await trendSource();
    assert(src.label.includes(`Run ${pastTrend.runId}`) && /\((finished|stopped|failed|cancelled)/.test(src.label), `label "${src.label}"`);
    assert(src.liveButton, 'no visible "Show live trends" button');
    const drawn = await drawnTrend();
    for (const m of METRICS) {
      assertEqual(JSON.stringify(drawn[m].map((p) => p.epoch)), JSON.stringify(pastPoints.map((p) => p.epoch)), `${m} epochs`);
      drawn[m].forEach((p, i) => assert(p.title.includes(`${m} ${pastPoints[i][m].toFixed(2)}%`) && p.title.includes(`Retrain ${pastRetrain[m].toFixed(2)}%`), `${m} at epoch ${p.epoch}: "${p.title}"`));
      const ref = await page.textContent(`svg.trend-chart line.ref-retrain[data-series="${m}"] title`);
      assert(ref.includes(pastRetrain[m].toFixed(2)), `Retrain ${m} line "${ref}"`);
    }
    const gaps = await page.$$eval('svg.gap-chart circle[data-series="gap"] title', (ts) => ts.map((t) => t.textContent));
    assertEqual(gaps.length, pastPoints.length, 'Avg. Gap points');
    gaps.forEach((title, i) => {
      const gap = mean(METRICS.map((m) => Math.abs(pastPoints[i][m] - pastRetrain[m])));
      assert(title.includes(gap.toFixed(2)), `gap at epoch ${pastPoints[i].epoch}: "${title}"`);
    });
    await page.locator('#trend').screenshot({ path: join(artifacts, 'panel-past-run.png') });
  });

  await check('live events keep the past run in view; its trend survives a reload, and the panel names it in ready', async () => {
    // A live event (the host's job log) must not pull the charts away from the run the user opened.
    await send({ type: 'event', event: { type: 'log', level: 'info', message: 'a live event while a past run is shown' } });
    await frame();
    assertEqual((await trendSource()).source, 'run', 'after a live event');
    await new Promise((r) => setTimeout(r, 400)); // the panel persists at most 4×/s
    assertEqual((await page.evaluate(() => window.__saved?.runTrend?.runId)), pastTrend.runId, 'saved with setState');
    await page.reload({ waitUntil: 'load' });
    await frame();
    const ready = await until("'ready'", () => postedOfType('ready').then((r) => r[0]));
    assertEqual(ready.trendRunDir, pastTrend.runDir, 'ready names the past run');
    const src = await trendSource();
    assertEqual(src.source, 'run', 'drawn from the saved state');
    assert(src.label.includes(pastTrend.runId), `label after the reload "${src.label}"`);
    const drawn = await drawnTrend();
    assertEqual(JSON.stringify(drawn.UA.map((p) => p.epoch)), JSON.stringify(pastPoints.map((p) => p.epoch)), 'UA epochs after the reload');
    // What the host then sends: the replay of its job log, and (still showing it) the run's trend.
    await send({ type: 'replay', events, jobRunning: false });
    await send(fixture.scores);
    await send({ type: 'runs', runs: fixture.runs });
    await send(pastTrend);
    await frame();
    await frame();
    assertEqual((await trendSource()).source, 'run', 'after the host’s replay and runTrend');
  });

  await check('"Show live trends" restores the live points, tells the host, and is kept across a reload', async () => {
    await page.click('#trend vscode-button[data-action="showLiveTrend"]');
    await until('showLiveTrend posted', () => postedOfType('showLiveTrend').then((r) => r.length === 1));
    await until('the live trend', async () => (await trendSource()).source === 'live');
    const src = await trendSource();
    assert(src.label.startsWith('Live: current job'), `label "${src.label}"`);
    assert(!src.liveButton, 'the "Show live trends" button stays after switching');
    await assertLivePoints('after Show live trends');
    await new Promise((r) => setTimeout(r, 400));
    await page.reload({ waitUntil: 'load' });
    await frame();
    const ready = await until("'ready'", () => postedOfType('ready').then((r) => r[0]));
    assertEqual(ready.trendRunDir, undefined, 'ready names no past run');
    assertEqual((await trendSource()).source, 'live', 'live after the reload');
    await assertLivePoints('after the reload');
  });

  await check('a new job switches the charts back to live', async () => {
    await send(pastTrend);
    await until('the past run’s trend', async () => (await trendSource()).source === 'run');
    const started = events.find((e) => e.type === 'started');
    await send({ type: 'event', event: { ...started, runId: `${started.runId}-next`, runDir: `${started.runDir}-next` } });
    await frame();
    await frame();
    const src = await trendSource();
    // The new job has no epochs yet: the section waits for its first one.
    assert(src.sectionHidden || src.source === 'live', `after a job started: ${JSON.stringify(src)}`);
    assertEqual(await page.evaluate(() => document.querySelectorAll('#trend:not([hidden]) svg.trend-chart circle[data-series="UA"]').length), 0, 'no past points shown');
    await send({ type: 'replay', events, jobRunning: false });
    await until('the live trend', async () => (await trendSource()).source === 'live');
    await assertLivePoints('after the replay');
  });

  await check('a malformed runTrend is ignored and logged', async () => {
    const before = (await page.evaluate(() => window.__warnings)).length;
    await send({ ...pastTrend, points: [{ epoch: 1, metrics: { UA: 'x' } }] });
    await frame();
    const warnings = await page.evaluate(() => window.__warnings);
    assert(warnings.length === before + 1 && /ignored an unexpected message/.test(warnings.at(-1)), `warnings: ${JSON.stringify(warnings.slice(before))}`);
    assertEqual((await trendSource()).source, 'live', 'still live');
  });

  await check('no console errors, CSP violations or failed requests', async () => {
    const unique = [...new Set(problems)];
    assert(unique.length === 0, `${unique.length} distinct problem(s):\n${unique.slice(0, 8).join('\n')}`);
  });
} catch (e) {
  failed++;
  console.log(`  ✗ the test itself failed: ${e?.stack ?? e}`);
  try { await page.screenshot({ path: join(artifacts, 'failure.png'), fullPage: true }); } catch { /* best effort */ }
  exitCode = 1;
} finally {
  if (!process.argv.includes('--keep-open')) {
    await browser.close();
    server.close();
  }
}
if (failures.length) console.log(`failed: ${failures.join('; ')}`);
console.log(`screenshots: ${artifacts}`);
finish(exitCode);
