// Independent of the panel: a new user's first stop, the walkthrough on the Welcome page with every
// step package.json's contributes.walkthroughs lists (read from the manifest, so a renamed step is
// looked for under its new title), screenshotted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case } from './case';
import { assert } from '../../webview/harness';
import { until } from '../harness';

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
];
