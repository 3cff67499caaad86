// The side panel as VS Code would load it, in headless Chromium (playwright-core): the HTML of
// src/extension/panel/panelHtml.ts with its CSP and nonce, dist/webview.js and media/panel.css served from
// a local server that allows only the panel's localResourceRoots, and a stub acquireVsCodeApi that
// records what the panel posts and keeps setState across reloads (as VS Code does).
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { createNonce, panelHtml } from '../../src/extension/panel/panelHtml';
import type { Uri } from 'vscode';
import type { Theme } from './themes';
import { THEMES } from './themes';
import { until } from './harness';

/** A message the panel posted, as the stub recorded it (JSON round trip, like VS Code's). */
export interface Posted {
  type: string;
  requestId?: number;
  [key: string]: unknown;
}

/** What the stub adds to the page's window. */
interface StubWindow {
  __posted: Posted[];
  __warnings: string[];
  __saved?: { ui?: { hiddenSeries?: string[] }; runTrend?: { runId: string } };
  __applyTheme(t: Theme): void;
  __oldChart?: Element | null;
  acquireVsCodeApi(): unknown;
}

export const NEEDED = ['dist/webview.js', 'media/panel.css'];

export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** The panel's HTML at / (`/?placement=editor`: the editor tab's), and only dist/ and media/ (the panel's localResourceRoots) besides. */
function startServer(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      const origin = `http://${req.headers.host ?? ''}`;
      // panelHtml only calls toString() on the URIs.
      const uri = (s: string): Uri => ({ toString: () => s }) as Uri;
      const placement = url.searchParams.get('placement') === 'editor' ? 'editor' : 'sidebar';
      const html = panelHtml(
        { scriptUri: uri(`${origin}/dist/webview.js`), styleUri: uri(`${origin}/media/panel.css`), cspSource: origin, placement },
        createNonce(),
      );
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    // The browser's own favicon request; the panel asks for none.
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const rel = normalize(url.pathname).replace(/^\/+/, '');
    if (!/^(dist|media)\//.test(rel) || rel.includes('..') || !existsSync(join(root, rel))) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(readFileSync(join(root, rel)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** What VS Code gives a webview: acquireVsCodeApi (once), the theme class on <body>, the variables on <html>. */
function installStub({ theme }: { theme: Theme }): void {
  const w = window as unknown as StubWindow;
  w.__posted = [];
  w.__warnings = [];
  // Like VS Code, the state outlives a reload of the webview (kept here in sessionStorage).
  const stored = sessionStorage.getItem('__vscodeState');
  let saved: unknown = stored ? JSON.parse(stored) : undefined;
  let acquired = false;
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    return {
      postMessage: (m: unknown) => {
        w.__posted.push(JSON.parse(JSON.stringify(m)) as Posted);
      },
      getState: () => saved,
      setState: (s: unknown) => {
        saved = JSON.parse(JSON.stringify(s));
        w.__saved = saved as StubWindow['__saved'];
        sessionStorage.setItem('__vscodeState', JSON.stringify(saved));
      },
    };
  };
  const warn = console.warn.bind(console);
  console.warn = (...a: unknown[]) => {
    w.__warnings.push(a.map(String).join(' '));
    warn(...a);
  };
  w.__applyTheme = (t) => {
    // VS Code replaces the whole set: a variable the new theme lacks (contrastBorder) is gone.
    const style = document.documentElement.style;
    for (const k of Array.from(style).filter((p) => p.startsWith('--vscode-'))) style.removeProperty(k);
    for (const [k, v] of Object.entries(t.vars)) style.setProperty(k, v);
    document.documentElement.style.background = t.vars['--vscode-sideBar-background'];
    document.body.className = t.class;
  };
  document.addEventListener('DOMContentLoaded', () => w.__applyTheme(theme));
}

export class PanelPage {
  /** Console errors, CSP reports, failed requests and page errors, for the last case. */
  readonly problems: string[] = [];

  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: Server,
    readonly origin: string,
    /** A page opened beside the first (openAnother) closes only itself. */
    private readonly ownsBrowser = true,
  ) {
    page.on('console', (msg) => {
      const text = msg.text();
      if (msg.type() === 'error' || /Content Security Policy|Refused to/.test(text)) this.problems.push(`[console.${msg.type()}] ${text}`);
    });
    page.on('pageerror', (e) => this.problems.push(`[pageerror] ${e.stack ?? String(e)}`));
    page.on('requestfailed', (r) => this.problems.push(`[requestfailed] ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) this.problems.push(`[http ${r.status()}] ${r.url()}`);
    });
  }

  static async open(root: string, chromiumPath: string, headed: boolean): Promise<PanelPage> {
    const server = await startServer(root);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: !headed,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    });
    const context = await browser.newContext({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.addInitScript(installStub, { theme: THEMES.dark });
    const panel = new PanelPage(page, browser, server, origin);
    await page.goto(origin, { waitUntil: 'load' });
    return panel;
  }

  /**
   * A second panel page in its own browser context (its own saved state), on the same server:
   * the editor tab's layout (`placement: 'editor'`) or a fresh sidebar. Close it when done.
   */
  async openAnother(placement: 'sidebar' | 'editor', viewport: { width: number; height: number }): Promise<PanelPage> {
    const context = await this.browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.addInitScript(installStub, { theme: THEMES.dark });
    const other = new PanelPage(page, this.browser, this.server, this.origin, false);
    await page.goto(`${this.origin}/?placement=${placement}`, { waitUntil: 'load' });
    return other;
  }

  async close(): Promise<void> {
    if (!this.ownsBrowser) {
      await this.page.context().close();
      return;
    }
    await this.browser.close();
    this.server.close();
  }

  posted(): Promise<Posted[]> {
    return this.page.evaluate(() => (window as unknown as StubWindow).__posted);
  }

  async postedOfType(type: string): Promise<Posted[]> {
    return (await this.posted()).filter((m) => m.type === type);
  }

  warnings(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as StubWindow).__warnings);
  }

  saved(): Promise<StubWindow['__saved']> {
    return this.page.evaluate(() => (window as unknown as StubWindow).__saved);
  }

  /** Delivers a message as the host would (a window 'message' event). */
  async send(message: unknown): Promise<void> {
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
  }

  /** Answers the panel's request `requestId` as the host's channel would. */
  reply(requestId: number, reply: unknown): Promise<void> {
    return this.send({ type: 'reply', requestId, reply });
  }

  /** Two animation frames: what was sent has been drawn. */
  /** Waits for the comparison's run list and ticks every run in it (the comparison then shows them all). */
  async checkEveryRun(runs: readonly { runId: string }[]): Promise<void> {
    await this.page.waitForSelector('table.comparison');
    for (const run of runs) {
      const box = this.page.locator(`input[type="checkbox"][data-run="${run.runId}"]`);
      if (!(await box.isChecked())) await box.check();
    }
  }

  async frame(): Promise<void> {
    await this.page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  }

  async applyTheme(theme: Theme): Promise<void> {
    await this.page.evaluate((t) => (window as unknown as StubWindow).__applyTheme(t), theme);
  }

  barFractions(): Promise<{ name: string; fraction: number }[]> {
    return this.page.$$eval('li.layer', (lis) =>
      lis.map((li) => ({ name: (li as HTMLElement).dataset.layer ?? '', fraction: Number((li as HTMLElement).dataset.fraction) })),
    );
  }

  /** Waits for the n-th (1-based) posted message of `type`. */
  nthPosted(type: string, n: number, timeoutMs?: number): Promise<Posted[]> {
    return until(
      `${n} '${type}' message(s)`,
      async () => {
        const all = await this.postedOfType(type);
        return all.length >= n ? all : undefined;
      },
      timeoutMs,
    );
  }

  /** Reloads the webview (VS Code does on hide/show without retainContextWhenHidden). */
  async reload(): Promise<void> {
    await this.page.reload({ waitUntil: 'load' });
    await this.frame();
  }

  /** Remembers the trend chart element, to tell later whether it was rebuilt. */
  async markChart(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as StubWindow).__oldChart = document.querySelector('svg.trend-chart');
    });
  }

  chartRebuilt(): Promise<boolean> {
    return this.page.evaluate(() => {
      const old = (window as unknown as StubWindow).__oldChart;
      return !!old && !old.isConnected;
    });
  }
}
