// package.json's `contributes` against commandIds.ts, the one list of ids: every command contributed
// is one the extension registers and the reverse, every menu names a contributed command, and every
// command reads "SalUn: …" in the palette. (The host suite checks they are really registered.)
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COMMAND_IDS, PANEL_VIEW_ID, RUNS_VIEW_ID, VIEW_CONTAINER_ID } from '../../src/extension/commandIds';

const root = resolve(__dirname, '..', '..', '..');

interface Contributes {
  commands: { command: string; title: string; category?: string }[];
  menus: Record<string, { command: string; when?: string }[]>;
  views: Record<string, { id: string }[]>;
}

const contributes = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: Contributes }).contributes;

describe('package.json contributes', () => {
  it('contributes exactly the commands in commandIds.ts, each in the SalUn category', () => {
    const contributed = contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(COMMAND_IDS).sort());
    for (const c of contributes.commands) assert.equal(c.category, 'SalUn', `${c.command} has no SalUn category`);
  });

  it('menus name only contributed commands, and the palette entry of every command is declared once', () => {
    const ids = new Set<string>(Object.values(COMMAND_IDS));
    for (const [menu, items] of Object.entries(contributes.menus)) {
      for (const item of items) assert.ok(ids.has(item.command), `${menu} names ${item.command}, which is not contributed`);
    }
    const palette = contributes.menus.commandPalette.map((i) => i.command);
    assert.equal(new Set(palette).size, palette.length, 'a command is listed twice in commandPalette');
  });

  it('Compare Runs is on the Runs view\'s title bar, Export Run Report on a run\'s context menu', () => {
    assert.ok(contributes.menus['view/title'].some((i) => i.command === COMMAND_IDS.compareRuns && i.when?.includes(`view == ${RUNS_VIEW_ID}`)));
    const item = contributes.menus['view/item/context'].find((i) => i.command === COMMAND_IDS.exportRunReport);
    assert.ok(item?.when?.includes(`view == ${RUNS_VIEW_ID}`) && item.when.includes('viewItem != salun.run.running'), JSON.stringify(item));
  });

  it('declares the views commandIds.ts names', () => {
    assert.deepEqual(contributes.views[VIEW_CONTAINER_ID].map((v) => v.id), [PANEL_VIEW_ID, RUNS_VIEW_ID]);
  });
});
