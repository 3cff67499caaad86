// Themes: a theme change rebuilds the charts in the new colours; high contrast draws contrast
// borders, wider lines, strong focus outlines and text at WCAG AAA. Screenshots of each.
import { join } from 'node:path';
import type { Case, Entry } from './case';
import type { ThemeName } from '../themes';
import { THEMES } from '../themes';
import { assert, assertEqual, contrastRatio, rgb } from '../harness';

const SCREENSHOT: Record<ThemeName, string> = { light: 'panel-light.png', dark: 'panel-dark.png', hcDark: 'panel-hc-dark.png', hcLight: 'panel-hc-light.png' };

function highContrast(name: 'hcDark' | 'hcLight'): Case {
  return {
    name: `high contrast (${name}): contrast borders, wider lines, a strong focus outline, readable text; screenshot`,
    async run({ panel, artifacts }) {
      const { page } = panel;
      const t = THEMES[name];
      await panel.applyTheme(t);
      await panel.frame();
      const bg = rgb(t.vars['--vscode-sideBar-background']);
      const chart = await page.$eval('svg.trend-chart:not(.gap-chart)', (c) => {
        const cs = (sel: string): CSSStyleDeclaration => {
          const e = c.querySelector(sel);
          if (!e) throw new Error(`no ${sel}`);
          return getComputedStyle(e);
        };
        return {
          raStroke: cs('polyline.series-RA').stroke,
          raWidth: cs('polyline.series-RA').strokeWidth,
          refOpacity: cs('line.ref-retrain').strokeOpacity,
          grid: cs('line.grid').stroke,
          label: cs('text.axis-label').fill,
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
      const outline = await page.$eval('.trend-charts', (e) => ({
        focus: e.matches(':focus-visible'),
        color: getComputedStyle(e).outlineColor,
        width: getComputedStyle(e).outlineWidth,
        style: getComputedStyle(e).outlineStyle,
      }));
      assert(outline.focus, 'the chart is focused from the keyboard');
      assertEqual(outline.color, rgb(t.vars['--vscode-contrastActiveBorder']), 'focus outline colour');
      assertEqual(outline.style, 'solid', 'focus outline style');
      assert(parseFloat(outline.width) >= 2, `focus outline ${outline.width} wide`);
      await page.locator('button.legend-item[data-series="RA"]').focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Shift+Tab');
      const legendOutline = await page.$eval('button.legend-item[data-series="RA"]', (e) => ({
        focus: e.matches(':focus-visible'),
        color: getComputedStyle(e).outlineColor,
        width: getComputedStyle(e).outlineWidth,
      }));
      assert(legendOutline.focus, 'the legend button is focused from the keyboard');
      assertEqual(legendOutline.color, rgb(t.vars['--vscode-contrastActiveBorder']), 'legend focus outline colour');
      assert(parseFloat(legendOutline.width) >= 2, `legend focus outline ${legendOutline.width} wide`);

      // Every kind of text the panel draws, at WCAG AAA (7:1) against the panel's background.
      const texts = await page.evaluate(() => {
        const pick = (sel: string, prop: 'color' | 'fill' = 'color'): { sel: string; color: string } | undefined => {
          const e = document.querySelector(sel);
          return e ? { sel, color: getComputedStyle(e)[prop] } : undefined;
        };
        return [
          pick('.trend-source-label'),
          pick('#trend .muted'),
          pick('.trend-readout'),
          pick('.legend-item'),
          pick('.layer-value'),
          pick('.summary dt'),
          pick('#results thead th'),
          pick('svg.trend-chart text.axis-label', 'fill'),
          pick('svg.histogram text.axis-label', 'fill'),
        ].filter((x): x is { sel: string; color: string } => x !== undefined);
      });
      assert(texts.length >= 8, `only ${texts.length} text samples found`);
      for (const { sel, color } of texts) {
        const ratio = contrastRatio(color, bg);
        assert(ratio >= 7, `${sel}: ${color} on ${bg} has contrast ${ratio.toFixed(2)}:1, below 7:1`);
      }
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(artifacts, SCREENSHOT[name]), fullPage: true });
    },
  };
}

export const themes: Entry[] = [
  {
    name: 'a theme change redraws the charts in the new colours; screenshots',
    async run({ panel, artifacts }) {
      await panel.markChart();
      for (const name of ['light', 'dark'] as const) {
        await panel.applyTheme(THEMES[name]);
        await panel.frame();
        assert(await panel.chartRebuilt(), `${name}: the chart was not rebuilt`);
        await panel.markChart();
        const stroke = await panel.page.$eval('svg.trend-chart polyline.series-RA', (e) => getComputedStyle(e).stroke);
        assertEqual(stroke, rgb(THEMES[name].vars['--vscode-charts-green']), `${name}: RA line colour`);
        await panel.page.screenshot({ path: join(artifacts, SCREENSHOT[name]), fullPage: true });
      }
    },
  },
  highContrast('hcDark'),
  highContrast('hcLight'),
  {
    setup: 'back to the dark theme',
    async run({ panel }) {
      await panel.applyTheme(THEMES.dark);
      await panel.frame();
    },
  },
];
