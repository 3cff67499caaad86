// The default sidebar width (≈ 300 px): every column of the results and comparison tables is drawn
// inside the viewport (no horizontal scrolling needed to read MIA, Avg. Gap or Time), the Runs rows
// are not cut off, and the sections fold so the view is not five screens tall. Screenshots of both
// tables at that width.
import { join } from 'node:path';
import type { Entry } from './case';
import type { PanelPage } from '../panelPage';
import { assert } from '../harness';

export const NARROW = { width: 300, height: 366 };
const WIDE = { width: 420, height: 900 };
/** The SalUn view above the Runs view in a short window. */
const SHORT = { width: 300, height: 200 };

interface Box {
  text: string;
  label: string;
  left: number;
  right: number;
  width: number;
  visible: boolean;
}

/**
 * Every body cell of `table` with its box, whether it is on screen (not clipped by a scrolling
 * wrapper), and the column name shown with it: the header's when the header row is drawn, else the
 * cell's own label (a stacked row names each value).
 */
function cellBoxes(panel: PanelPage, table: string): Promise<Box[]> {
  return panel.page.$$eval(`${table} tbody tr:not(.group-head) > *`, (cells) =>
    cells.map((c) => {
      const r = c.getBoundingClientRect();
      // A cell scrolled out of its wrapper is inside the page but not on screen: check the clip too.
      let clip = { left: 0, right: window.innerWidth };
      for (let p = c.parentElement; p; p = p.parentElement) {
        const cs = getComputedStyle(p);
        if (cs.overflowX !== 'visible') {
          const pr = p.getBoundingClientRect();
          clip = { left: Math.max(clip.left, pr.left), right: Math.min(clip.right, pr.right) };
        }
      }
      const cs = getComputedStyle(c);
      const shown = cs.display !== 'none' && cs.visibility !== 'hidden';
      const index = [...(c.parentElement?.children ?? [])].indexOf(c);
      const th = c.closest('table')?.querySelectorAll('thead th')[index];
      const thBox = th?.getBoundingClientRect();
      const headerShown = !!th && !!thBox && thBox.width > 2 && thBox.height > 2 && thBox.left >= clip.left - 0.5 && thBox.right <= clip.right + 0.5;
      const before = getComputedStyle(c, '::before').content;
      const own = before && before !== 'none' && before !== 'normal' ? before.replace(/^"|"$/g, '') : '';
      const label = headerShown ? (th?.textContent ?? '') : own;
      return {
        text: (c.textContent ?? '').trim(),
        label,
        left: r.left,
        right: r.right,
        width: r.width,
        visible: shown && r.left >= clip.left - 0.5 && r.right <= clip.right + 0.5,
      };
    }),
  );
}

async function assertAllVisible(panel: PanelPage, table: string, mustShow: readonly string[]): Promise<void> {
  const boxes = await cellBoxes(panel, table);
  assert(boxes.length > 0, `no cells in ${table}`);
  const vw = NARROW.width;
  const out = boxes.filter((b) => !b.visible || b.width <= 0 || b.left < -0.5 || b.right > vw + 0.5);
  assert(
    out.length === 0,
    `${out.length} of ${boxes.length} cells of ${table} are outside the ${vw} px viewport or clipped: ${out
      .slice(0, 6)
      .map((b) => `"${b.label}: ${b.text}" [${b.left.toFixed(0)}, ${b.right.toFixed(0)}]`)
      .join(', ')}`,
  );
  const labels = new Set(boxes.map((b) => b.label.trim()));
  for (const label of mustShow)
    assert(
      [...labels].some((l) => l.startsWith(label)),
      `${table} does not name the column "${label}" on screen (named: ${[...labels].join(', ')})`,
    );
}

async function setWidth(panel: PanelPage, size: { width: number; height: number }): Promise<void> {
  await panel.page.setViewportSize(size);
  await panel.frame();
}

export const narrow: Entry[] = [
  {
    setup: 'the panel at the default sidebar width (300 × 366 px)',
    async run({ panel }) {
      await setWidth(panel, NARROW);
    },
  },
  {
    name: '300 px: every column of the results table (MIA, Avg. Gap, Time included) is inside the viewport; screenshot',
    async run({ panel, artifacts }) {
      await panel.page.locator('#results').scrollIntoViewIfNeeded();
      await panel.page.locator('#results').screenshot({ path: join(artifacts, 'panel-300-results.png') });
      await assertAllVisible(panel, '#results table.results', ['UA', 'RA', 'TA', 'MIA', 'Avg. Gap', 'Time']);
    },
  },
  {
    name: '300 px: the comparison shows every metric column inside the viewport; screenshot',
    async run({ panel, artifacts }) {
      await panel.page.locator('#compare').scrollIntoViewIfNeeded();
      await panel.page.locator('#compare').screenshot({ path: join(artifacts, 'panel-300-compare.png') });
      await assertAllVisible(panel, '#compare table.comparison', ['UA', 'RA', 'TA', 'MIA', 'Avg. Gap', 'Time']);
    },
  },
  {
    name: '300 px: the Runs rows are readable (run id and details not cut off)',
    async run({ panel }) {
      const cut = await panel.page.$$eval('#compare .run-list li label', (labels) =>
        labels.filter((l) => l.scrollWidth > l.clientWidth + 1 || l.getBoundingClientRect().right > window.innerWidth + 0.5).map((l) => l.textContent ?? ''),
      );
      assert(cut.length === 0, `${cut.length} run row(s) cut off: ${cut.slice(0, 3).join(' | ')}`);
    },
  },
  {
    name: 'a short view (300 × 200 px): at the Compare runs heading its buttons are on screen, before the run list',
    async run({ panel }) {
      const { page } = panel;
      await setWidth(panel, SHORT);
      try {
        await page.$eval('#h-compare', (h) => h.scrollIntoView({ block: 'start' }));
        await panel.frame();
        const buttons = await page.$$eval('#compare vscode-button', (bs) =>
          bs.map((b) => {
            const r = b.getBoundingClientRect();
            return { text: (b.textContent ?? '').trim(), top: r.top, bottom: r.bottom, right: r.right };
          }),
        );
        assert(buttons.length >= 3, `${buttons.length} buttons in Compare runs`);
        const off = buttons.filter((b) => b.top < -0.5 || b.bottom > SHORT.height + 0.5 || b.right > SHORT.width + 0.5);
        assert(
          off.length === 0,
          `${off.map((b) => `"${b.text}" at y ${b.top.toFixed(0)}–${b.bottom.toFixed(0)}`).join(', ')} outside the ${SHORT.height} px tall view`,
        );
        const order = await page.$eval('#compare', (s) => {
          const first = s.querySelector('vscode-button');
          const list = s.querySelector('.run-list');
          return !!first && !!list && !!(first.compareDocumentPosition(list) & Node.DOCUMENT_POSITION_FOLLOWING);
        });
        assert(order, 'the buttons come after the run list (Tab reaches them last)');
      } finally {
        await setWidth(panel, NARROW);
      }
    },
  },
  {
    name: '300 px: sections fold; folded, the view fits a few screens, not five; screenshot',
    async run({ panel, artifacts }) {
      const { page } = panel;
      const full = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.screenshot({ path: join(artifacts, 'panel-300-full.png'), fullPage: true });
      const toggles = page.locator('section:not([hidden]) > h2 button[aria-expanded]');
      const n = await toggles.count();
      assert(n >= 4, `${n} section toggles; every section heading should fold its section`);
      for (let i = 0; i < n; i++) if ((await toggles.nth(i).getAttribute('aria-expanded')) === 'true') await toggles.nth(i).click();
      await panel.frame();
      const folded = await page.evaluate(() => document.documentElement.scrollHeight);
      assert(folded <= NARROW.height * 2, `folded, the view is ${folded} px tall (unfolded ${full} px) for ${NARROW.height} px of space`);
      for (let i = 0; i < n; i++) await toggles.nth(i).click();
      await panel.frame();
      const again = await page.evaluate(() => document.documentElement.scrollHeight);
      assert(Math.abs(again - full) < 2, `unfolding again: ${again} px, was ${full} px`);
      console.log(`      (300 px: ${full} px tall unfolded, ${folded} px folded)`);
    },
  },
  {
    setup: 'back to the wide panel',
    async run({ panel }) {
      await setWidth(panel, WIDE);
    },
  },
];
