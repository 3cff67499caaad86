// Screenshots of the workbench and the panel in the dark theme (what host-test.mjs sets), then the
// light theme, which must reach the panel: its classes, its own script, its colours, its charts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, Ctx } from './case';
import { assert, sleep } from '../../webview/harness';
import { until } from '../harness';
import { readTheme, themeClasses } from '../panelReadings';

async function screenshots(ctx: Ctx, theme: 'dark' | 'light'): Promise<void> {
  const { wb, shots, budget } = ctx;
  await wb.page.screenshot({ path: join(shots, `workbench-${theme}.png`), timeout: budget(30_000) });
  await wb.webviewElement().screenshot({ path: join(shots, `panel-${theme}.png`), timeout: budget(30_000) });
}

function readSettings(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Switches to the light theme from the palette, else through the settings file; says how. */
async function toLight(ctx: Ctx): Promise<string> {
  const { wb, budget, userSettings } = ctx;
  const isLight = async (): Promise<boolean> => /vscode-light/.test(await themeClasses(wb));
  try {
    await wb.runPaletteCommand('Preferences: Toggle between Light/Dark Themes');
    await until('the panel to switch to vscode-light', budget(20_000), isLight, 500);
    return 'F1 → Preferences: Toggle between Light/Dark Themes';
  } catch (e) {
    // Fallback: the user settings file (code-server watches it and applies it live).
    await wb.page.keyboard.press('Escape');
    writeFileSync(userSettings, JSON.stringify({ ...readSettings(userSettings), 'workbench.colorTheme': 'Default Light Modern' }, null, 2));
    await until('the panel to switch to vscode-light', budget(30_000), isLight, 500);
    return `user settings workbench.colorTheme (the palette failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`;
  }
}

export const themes: Case[] = [
  {
    name: 'screenshots in the dark theme',
    needs: ['panel'],
    async run(ctx) {
      // Kept before the checks below: the light case compares with it even when one of them fails.
      const dark = (ctx.dark = await readTheme(ctx.wb));
      await screenshots(ctx, 'dark');
      assert(/vscode-dark/.test(dark.classes), `the panel's body has "${dark.classes}", not vscode-dark (host-test.mjs sets Default Dark Modern)`);
      return `body ${dark.classes}, color ${dark.color}, background ${dark.ownBg ?? `transparent over ${dark.workbench}`}`;
    },
  },
  {
    name: 'the light theme reaches the panel (colours change) and screenshots',
    needs: ['panel'],
    async run(ctx) {
      const { dark } = ctx;
      assert(dark, 'no dark-theme reading to compare with');
      const how = await toLight(ctx);
      await sleep(1000); // let the charts redraw (the panel rebuilds them on the class change)
      const light = await readTheme(ctx.wb);
      assert(light.dataTheme.includes('vscode-light'), `the panel's script did not see the theme change (data-theme "${light.dataTheme}")`);
      assert(light.color !== dark.color, `the panel's text colour stayed ${light.color}`);
      assert(light.sideBarBg && light.sideBarBg !== dark.sideBarBg, `--vscode-sideBar-background stayed ${light.sideBarBg}`);
      const bgDark = dark.ownBg ?? dark.workbench;
      const bgLight = light.ownBg ?? light.workbench;
      assert(bgLight !== bgDark, `the panel's background stayed ${bgLight}`);
      await screenshots(ctx, 'light');
      if (ctx.suite.summary) {
        const hist = await ctx.wb.inPanel(() => document.querySelectorAll('#saliency svg.histogram rect.hist-bar').length);
        assert(hist > 0, 'the histogram is gone after the theme change');
      }
      return `via ${how}; background ${bgDark} → ${bgLight}, text ${dark.color} → ${light.color}`;
    },
  },
];
