// The code-server workbench as the e2e drives it (playwright-core): the command palette, the SalUn
// activity-bar item, and the panel's document, which VS Code nests two frames deep (the webview host
// frame iframe.webview, then its #active-frame).
//
// The workbench may hold several webview frames (a closed editor's, another extension's, the view's
// own while hidden: VS Code keeps it in the DOM, unlaid-out). The panel is the one frame that is
// ours (its src names our extension id) and visible; reading a hidden one gives stale content and
// 0×0 boxes, which is what the e2e once did after the host suite left an editor over it.
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { sleep } from '../webview/harness';

const ANY_WEBVIEW = 'iframe.webview';

export class Workbench {
  private readonly webview: string;

  /** `extensionId`: publisher.name of the extension whose panel is read. */
  constructor(
    readonly page: Page,
    extensionId: string,
  ) {
    this.webview = `${ANY_WEBVIEW}[src*="extensionId=${extensionId}"]:visible`;
  }

  /** The panel document, for locators (they wait and retry by themselves). */
  panel(): FrameLocator {
    return this.page.frameLocator(this.webview).first().frameLocator('#active-frame');
  }

  /** The webview's host frame element in the workbench (what is screenshotted as "the panel"). */
  webviewElement(): ReturnType<Page['locator']> {
    return this.page.locator(this.webview).first();
  }

  /** Whether our panel's frame is in the workbench and visible. */
  async hasWebview(): Promise<boolean> {
    return (await this.page.locator(this.webview).count()) > 0;
  }

  /** Every webview frame in the workbench, for a failure message: whose, shown or not, its size. */
  async describeWebviews(): Promise<string> {
    const frames = await this.page.locator(ANY_WEBVIEW).evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        const id = /extensionId=([^&]+)/.exec(e.getAttribute('src') ?? '')?.[1] ?? '?';
        const style = getComputedStyle(e);
        const shown = style.visibility !== 'hidden' && style.display !== 'none' && r.width > 0 && r.height > 0;
        return `${decodeURIComponent(id)} ${shown ? 'shown' : 'hidden'} ${Math.round(r.width)}×${Math.round(r.height)}`;
      }),
    );
    return frames.length ? `${frames.length} webview frame(s): ${frames.join('; ')}` : 'no webview frame';
  }

  /** The panel document as a frame, for evaluating a function in it; throws while it is not there yet. */
  async panelFrame(): Promise<Frame> {
    const outer = await this.webviewElement().elementHandle({ timeout: 5000 });
    const outerFrame = await outer?.contentFrame();
    const inner = await outerFrame?.$('#active-frame');
    const frame = await inner?.contentFrame();
    if (!frame) throw new Error('no #active-frame inside the webview host frame yet');
    return frame;
  }

  /** Runs `fn` in the panel's document (serialized: it sees only the page's globals). */
  async inPanel<R>(fn: () => R): Promise<R> {
    return (await this.panelFrame()).evaluate(fn);
  }

  /** F1, type a command's label, Enter on the first match once it is that command. */
  async runPaletteCommand(label: string): Promise<void> {
    const { page } = this;
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${label}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label.replace(/^[^:]+:\s*/, '') }).first();
    await row.waitFor({ state: 'visible', timeout: 5000 });
    await input.press('Enter');
  }

  /** Opens the SalUn view the way a user does; says how. */
  async openSalunView(): Promise<string> {
    const item = this.page.locator('[id="workbench.parts.activitybar"] [aria-label^="SalUn"]').first();
    let how: string;
    if (await item.count()) {
      const checked = await item.evaluate(
        (a) =>
          a.closest('.action-item')?.classList.contains('checked') || a.getAttribute('aria-checked') === 'true' || a.getAttribute('aria-expanded') === 'true',
      );
      if (!checked) {
        await item.click({ timeout: 5000 });
        how = 'activity-bar item';
      } else {
        // The container is shown but the panel is not (collapsed, or behind another view): the command reveals it.
        await this.runPaletteCommand('SalUn: Show SalUn View');
        how = 'F1 → SalUn: Show SalUn View (the SalUn container was already shown)';
      }
    } else {
      // Commands may register late: the palette finds it once the extension contributed it.
      await this.runPaletteCommand('SalUn: Show SalUn View');
      how = 'F1 → SalUn: Show SalUn View';
    }
    await sleep(1500);
    return how;
  }
}
