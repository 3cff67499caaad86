// Independent of the panel: a new user's first stop, the walkthrough on the Welcome page with every
// step package.json's contributes.walkthroughs lists (read from the manifest, so a renamed step is
// looked for under its new title), screenshotted. Then, at the 1400 × 900 window (the
// subtitle and the Generation Demo button were cut), the subtitle and every step's button are
// measured, with the secondary side bar shown and hidden (hidden, the image column narrows the
// steps to ≈ 250 px): the subtitle, the collapsed steps' titles and every step's button (each step
// expanded in turn, the button in view) may not be cut (scroll size ≤ client size).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case } from './case';
import { assert, sleep } from '../../webview/harness';
import { until } from '../harness';
import type { Workbench } from '../workbench';

interface Walkthrough {
  title: string;
  steps: string[];
}

function manifestWalkthrough(root: string): Walkthrough {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    contributes?: { walkthroughs?: Array<{ title: string; steps: Array<{ title: string }> }> };
  };
  const w = manifest.contributes?.walkthroughs?.[0];
  assert(w && w.steps.length > 0, 'package.json contributes no walkthrough with steps');
  return { title: w.title, steps: w.steps.map((s) => s.title) };
}

export const walkthrough: Case[] = [
  {
    name: 'the walkthrough opens from the Welcome page (Help: Welcome → its entry) with every step package.json lists',
    needs: [],
    async run({ wb, shots, budget, root }) {
      const { page } = wb;
      const { title, steps } = manifestWalkthrough(root);
      await wb.runPaletteCommand('Help: Welcome');
      const editor = page.locator('.gettingStartedContainer');
      await editor.first().waitFor({ state: 'visible', timeout: budget(30_000) });
      let how = 'its entry on the Welcome page';
      const entry = editor.locator('button, a, .getting-started-category', { hasText: title }).first();
      if (await entry.count()) {
        await entry.click({ timeout: 10_000 });
      } else {
        // The page lists a few walkthroughs; the rest are behind "More…", which is this picker.
        how = 'Welcome: Open Walkthrough…';
        await wb.runPaletteCommand('Welcome: Open Walkthrough...');
        const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
        await row.waitFor({ state: 'visible', timeout: 10_000 });
        await row.click();
      }
      await until(
        `the walkthrough "${title}" with its steps`,
        budget(30_000),
        async () => {
          const text = await editor.first().innerText();
          return text.includes(title) && steps.every((s) => text.includes(s));
        },
        500,
      );
      await page.screenshot({ path: join(shots, 'walkthrough.png'), timeout: budget(30_000) });
      return `"${title}" via ${how}, ${steps.length} steps`;
    },
  },
  {
    name: 'the walkthrough at 1400 × 900: its subtitle and every step’s button are drawn whole (not cut), with and without the secondary side bar',
    needs: [],
    async run({ wb, shots, budget, root }) {
      const { page } = wb;
      const { title, steps } = manifestWalkthrough(root);
      const notes: string[] = [];
      const cut: string[] = [];
      for (const layout of ['as opened', 'no secondary side bar'] as const) {
        if (layout === 'no secondary side bar') {
          // The trial's layout: the editor wide enough for the image column beside the steps, which narrows them.
          if (!(await auxiliaryBarShown(wb))) continue;
          await wb.runPaletteCommand('View: Toggle Secondary Side Bar Visibility');
          await until('the secondary side bar hidden', budget(10_000), async () => !(await auxiliaryBarShown(wb)), 250);
          // The palette's Escape took the Welcome page back from the walkthrough to its list: open it again.
          await page
            .locator('.gettingStartedContainer')
            .locator('button, a, .getting-started-category', { hasText: title })
            .first()
            .click({ timeout: budget(10_000) });
          await sleep(500);
        }
        const found = await measureWalkthrough(wb, steps, budget);
        notes.push(`${layout}: subtitle ${found.subtitle}, ${found.buttons} buttons`);
        cut.push(...found.cut.map((c) => `${layout}: ${c}`));
        await page.screenshot({ path: join(shots, `walkthrough-${layout.replace(/ /g, '-')}.png`), timeout: budget(30_000) });
      }
      assert(cut.length === 0, `cut at 1400 × 900: ${cut.join('; ')}`);
      return notes.join('; ');
    },
  },
];

async function auxiliaryBarShown(wb: Workbench): Promise<boolean> {
  return wb.page.evaluate(() => {
    const bar = document.querySelector<HTMLElement>('[id="workbench.parts.auxiliarybar"]');
    return !!bar && bar.getBoundingClientRect().width > 0 && getComputedStyle(bar).display !== 'none';
  });
}

/** Expands each step in turn and measures its buttons, and the subtitle; what is cut, in words. */
async function measureWalkthrough(
  wb: Workbench,
  steps: readonly string[],
  budget: (ms: number) => number,
): Promise<{ subtitle: string; buttons: number; cut: string[] }> {
  const slide = wb.page.locator('.gettingStartedContainer .gettingStartedSlideDetails');
  await slide.first().waitFor({ state: 'visible', timeout: budget(10_000) });
  const cut: string[] = [];
  const subtitle = await slide.first().evaluate((s) => {
    const d = s.querySelector<HTMLElement>('.getting-started-category .category-description');
    return d ? { text: d.textContent ?? '', sw: d.scrollWidth, cw: d.clientWidth, sh: d.scrollHeight, ch: d.clientHeight } : undefined;
  });
  assert(subtitle, 'no walkthrough subtitle (.category-description) on the page');
  if (subtitle.sh > subtitle.ch + 1 || subtitle.sw > subtitle.cw + 1)
    cut.push(`subtitle "${subtitle.text}" (${subtitle.sw}×${subtitle.sh} in ${subtitle.cw}×${subtitle.ch})`);
  // Collapsed, a step's title is one line with an ellipsis.
  const titles = await slide.first().evaluate((s) =>
    [...s.querySelectorAll<HTMLElement>('.getting-started-step:not(.expanded) .step-title')].map((t) => ({
      text: t.textContent ?? '',
      sw: t.scrollWidth,
      cw: t.clientWidth,
    })),
  );
  for (const t of titles) if (t.sw > t.cw + 1) cut.push(`step title "${t.text}" ${t.sw}/${t.cw} px`);
  let buttons = 0;
  for (const title of steps) {
    const step = slide.locator('.getting-started-step', { hasText: title }).first();
    // force: after the layout changes VS Code reports the steps' buttons as not enabled for a while.
    await step
      .locator('.step-title')
      .first()
      .click({ timeout: budget(10_000), force: true });
    await until(`step "${title}" expanded`, budget(10_000), async () => (await step.getAttribute('class'))?.includes('expanded'), 200);
    await sleep(300);
    const read = await step.evaluate((s) =>
      [...s.querySelectorAll<HTMLElement>('.button-container .monaco-button, .button-container .monaco-button *')]
        .filter((b) => b.getClientRects().length > 0)
        .map((b) => {
          const box = b.getBoundingClientRect();
          // Cut by a scrolling or clipping ancestor (the steps' list scrolls): the button must be in view.
          let outside = false;
          for (let p = b.parentElement; p; p = p.parentElement) {
            const cs = getComputedStyle(p);
            if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
            const r = p.getBoundingClientRect();
            if (box.left < r.left - 1 || box.right > r.right + 1 || box.top < r.top - 1 || box.bottom > r.bottom + 1) outside = true;
          }
          return { button: b.classList.contains('monaco-button'), text: (b.textContent ?? '').trim(), sw: b.scrollWidth, cw: b.clientWidth, outside };
        }),
    );
    buttons += read.filter((b) => b.button).length;
    for (const b of read)
      if (b.sw > b.cw + 1 || b.outside) cut.push(`step "${title}": button "${b.text}" ${b.sw}/${b.cw} px${b.outside ? ', out of view' : ''}`);
  }
  assert(buttons >= steps.length, `${buttons} step buttons found for ${steps.length} steps (the selectors may be stale)`);
  return { subtitle: `${subtitle.cw}×${subtitle.ch} px`, buttons, cut };
}
