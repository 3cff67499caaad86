// Exports: the panel builds the bytes and asks the host (ExportCommand) to save them.
import type { Entry } from './case';
import type { Posted } from '../panelPage';
import { assert, assertEqual, until } from '../harness';
import type { PanelPage } from '../panelPage';

async function exported(panel: PanelPage, format: string): Promise<Posted & { content: string; fileName: string }> {
  const msg = await until(`a ${format} export`, async () => (await panel.postedOfType('export')).find((m) => m.format === format));
  assert(typeof msg.content === 'string' && typeof msg.fileName === 'string', `a malformed ${format} export`);
  return msg as Posted & { content: string; fileName: string };
}

export const exports: Entry[] = [
  {
    name: 'export CSV: the comparison, one line per row',
    async run({ panel }) {
      await panel.page.click('vscode-button[data-export="csv"]');
      const msg = await exported(panel, 'csv');
      const lines = msg.content.trimEnd().split('\r\n');
      assertEqual(lines[0], 'Model,Run,Ratio,UA,RA,TA,MIA,Avg. Gap,Time (s)', 'header');
      assertEqual(lines.length, 1 + (await panel.page.locator('table.comparison tbody tr').count()), 'lines');
      assertEqual(msg.fileName, 'salun-comparison.csv', 'file name');
    },
  },
  {
    name: 'export Markdown report',
    async run({ panel, fx }) {
      await panel.page.click('vscode-button[data-export="md"]');
      const msg = await exported(panel, 'md');
      for (const heading of ['# SalUn Lab report', '## Results', '## Saliency mask', '## Metric trends', '## Comparison of runs'])
        assert(msg.content.includes(heading), `report lacks "${heading}"`);
      assert(msg.content.includes(`| ${fx.summary.layers[0].name} |`), 'report lacks the layer table');
    },
  },
  {
    name: 'export SVG: standalone, colours inlined from the theme',
    async run({ panel }) {
      await panel.page.click('vscode-button[data-export="svg"]');
      const msg = await exported(panel, 'svg');
      assert(msg.content.includes('xmlns="http://www.w3.org/2000/svg"'), 'no xmlns');
      assert(!/class="/.test(msg.content), 'classes left in the export');
      assert(msg.content.includes('stroke="rgb(241, 76, 76)"'), 'the dark theme’s charts-red (UA) is not inlined');
      assert(!/style="/.test(msg.content), 'style attributes (the CSP forbids them)');
      assert(msg.content.includes('>Retrain<'), 'no legend');
    },
  },
  {
    name: 'export PNG: a real PNG drawn from the SVG',
    async run({ panel }) {
      await panel.page.click('vscode-button[data-export="png"]');
      const msg = await exported(panel, 'png');
      const bytes = Buffer.from(msg.content, 'base64');
      assertEqual(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'signature');
      assertEqual(bytes.readUInt32BE(16), 640, 'width (2× the chart)');
      assert(bytes.length > 2000, `only ${bytes.length} bytes`);
    },
  },
];
