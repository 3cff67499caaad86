// package.json's `contributes` against commandIds.ts, the one list of ids: every command contributed
// is one the extension registers and the reverse, every menu names a contributed command, and every
// command reads "SalUn: …" in the palette. (The host suite checks they are really registered.)
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COMMAND_IDS, PANEL_VIEW_ID, RUNS_VIEW_ID, VIEW_CONTAINER_ID } from '../../src/extension/commandIds';
import { BACKEND_CHOICES, BACKEND_NAMES, BACKENDS } from '../../src/protocol/backends';
import { DATA_KINDS, DATA_NORMALIZATIONS } from '../../src/protocol/config';
import { RUN_CONFIG_SCHEMA } from '../../src/protocol/runConfigSchema';
import type { Schema } from '../../src/protocol/schema';
import { SETTING_RATIO_MIN } from '../../src/protocol/webviewMessages';

const root = resolve(__dirname, '..', '..', '..');

interface Contributes {
  commands: { command: string; title: string; category?: string }[];
  menus: Record<string, { command?: string; submenu?: string; when?: string; group?: string }[]>;
  submenus: { id: string; label: string }[];
  views: Record<string, { id: string }[]>;
  configuration: { properties: Record<string, Schema & { type: string | string[]; enum?: string[]; markdownEnumDescriptions?: string[]; scope?: string }> };
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
    const submenus = new Set(contributes.submenus.map((m) => m.id));
    for (const [menu, items] of Object.entries(contributes.menus)) {
      for (const item of items) {
        if (item.submenu !== undefined) assert.ok(submenus.has(item.submenu), `${menu} names the submenu ${item.submenu}, which is not contributed`);
        else assert.ok(ids.has(item.command ?? ''), `${menu} names ${item.command}, which is not contributed`);
      }
    }
    const palette = contributes.menus.commandPalette.map((i) => i.command);
    assert.equal(new Set(palette).size, palette.length, 'a command is listed twice in commandPalette');
  });

  it('gives every command its own title, and the SalUn view, its charts tab and a run one name each', () => {
    const titles = contributes.commands.map((c) => c.title);
    assert.equal(new Set(titles).size, titles.length, `two commands share a title: ${titles.join(', ')}`);
    const title = (id: string): string | undefined => contributes.commands.find((c) => c.command === id)?.title;
    assert.equal(title(COMMAND_IDS.openPanel), 'Show SalUn View');
    assert.equal(title(COMMAND_IDS.openRunInPanel), 'Open in SalUn View');
    assert.equal(title(COMMAND_IDS.openChartsInEditor), 'Open Charts in Editor');
    // The panel's own button runs the command under the command's name.
    assert.ok(readFileSync(join(root, 'webview', 'toolbarView.ts'), 'utf8').includes(`'${title(COMMAND_IDS.openChartsInEditor)}'`));
    assert.ok(!titles.some((t) => /\bPanel\b/.test(t)), 'a title still says "Panel" (VS Code\'s bottom panel is another thing)');
  });

  it('salun.data.normalize offers exactly the data scalings a run config accepts: the named ones and { mean, std }', () => {
    type Branch = { type?: string; enum?: string[]; enumDescriptions?: string[]; required?: string[] };
    const data = contributes.configuration.properties['salun.data'] as Schema & { properties?: Record<string, { anyOf?: Branch[] }> };
    const branches = data.properties?.normalize?.anyOf ?? [];
    const named = branches.find((b) => b.type === 'string');
    assert.deepEqual(named?.enum, [...DATA_NORMALIZATIONS]);
    assert.equal(named?.enumDescriptions?.length, DATA_NORMALIZATIONS.length);
    assert.deepEqual(branches.find((b) => b.type === 'object')?.required, ['mean', 'std']);
  });

  it("Compare Runs is on the Runs view's title bar, Export Run Report on a run's context menu", () => {
    assert.ok(contributes.menus['view/title'].some((i) => i.command === COMMAND_IDS.compareRuns && i.when?.includes(`view == ${RUNS_VIEW_ID}`)));
    const item = contributes.menus['view/item/context'].find((i) => i.command === COMMAND_IDS.exportRunReport);
    assert.ok(item?.when?.includes(`view == ${RUNS_VIEW_ID}`) && item.when.includes('viewItem != salun.run.running'), JSON.stringify(item));
  });

  it("the palette has one way to start a run (the flow; Re-run is on a run), the settings' run stays for the walkthrough", () => {
    const palette = new Map(contributes.menus.commandPalette.map((i) => [i.command, i.when]));
    assert.equal(palette.get(COMMAND_IDS.newRun), 'isWorkspaceTrusted');
    for (const hidden of [COMMAND_IDS.runUnlearning, COMMAND_IDS.runUnlearningOnModel, COMMAND_IDS.rerunRun])
      assert.equal(palette.get(hidden), 'false', hidden);
    // The panel's title bar opens the flow too, never the settings' run.
    const panelTitle = contributes.menus['view/title'].filter((i) => i.when?.includes(`view == ${PANEL_VIEW_ID}`)).map((i) => i.command);
    assert.ok(panelTitle.includes(COMMAND_IDS.newRun) && !panelTitle.includes(COMMAND_IDS.runUnlearning), panelTitle.join(', '));
  });

  it('Stop and Keep is not an icon next to Cancel (which throws the run away)', () => {
    const title = contributes.menus['view/title'].filter((i) => i.when?.includes(`view == ${PANEL_VIEW_ID}`));
    const cancel = title.find((i) => i.command === COMMAND_IDS.cancelJob);
    const keep = title.find((i) => i.command === COMMAND_IDS.stopAndKeep);
    assert.match(cancel?.group ?? '', /^navigation/);
    assert.ok(keep && !keep.group?.startsWith('navigation'), `Stop and Keep is in the title bar's icons: ${JSON.stringify(keep)}`);
  });

  it('the explorer\'s model.json actions sit in a "SalUn" submenu (a context menu shows no category)', () => {
    const entry = contributes.menus['explorer/context'].find((i) => i.submenu !== undefined);
    assert.ok(entry?.submenu && entry.when?.includes('resourceFilename == model.json') && entry.when.includes('isWorkspaceTrusted'), JSON.stringify(entry));
    const submenu = entry.submenu;
    assert.equal(contributes.submenus.find((m) => m.id === submenu)?.label, 'SalUn');
    assert.deepEqual(
      contributes.menus[submenu].map((i) => i.command),
      [COMMAND_IDS.runUnlearningOnModel, COMMAND_IDS.computeSaliencyForModel, COMMAND_IDS.evaluateModel],
    );
    const direct = contributes.menus['explorer/context'].map((i) => i.command);
    assert.ok(!direct.includes(COMMAND_IDS.evaluateModel), 'Evaluate Model is still in the explorer menu without the SalUn label');
  });

  it('salun.data (kind + folder) is a restricted setting like salun.modelPath', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    };
    assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), ['salun.data', 'salun.modelPath']);
    const data = contributes.configuration.properties['salun.data'] as Schema & { default: unknown };
    assert.deepEqual(data.default, { kind: 'default', folder: '' });
    assert.deepEqual(data.properties?.kind?.enum, [...DATA_KINDS]);
  });

  it('declares the views commandIds.ts names', () => {
    assert.deepEqual(
      contributes.views[VIEW_CONTAINER_ID].map((v) => v.id),
      [PANEL_VIEW_ID, RUNS_VIEW_ID],
    );
  });

  it('settings accept the same numbers as the run-config schema: nothing the job would then reject', () => {
    const props = (s: Schema | undefined, ...path: string[]): Schema => {
      let at = s;
      for (const key of path) at = key.startsWith('kind=') ? at?.oneOf?.find((b) => b.properties?.kind?.const === key.slice(5)) : at?.properties?.[key];
      assert.ok(at, `no ${path.join('.')} in the schema`);
      return at;
    };
    const pairs: [string, Schema][] = [
      ['salun.unlearnEpochs', props(RUN_CONFIG_SCHEMA, 'unlearn', 'epochs')],
      ['salun.unlearnLr', props(RUN_CONFIG_SCHEMA, 'unlearn', 'lr')],
      ['salun.forgetFraction', props(RUN_CONFIG_SCHEMA, 'forget', 'kind=random', 'fraction')],
      ['salun.forgetClass', props(RUN_CONFIG_SCHEMA, 'forget', 'kind=class', 'classIndex')],
      ['salun.workers', props(RUN_CONFIG_SCHEMA, 'workers')],
      ['salun.saliencyRatio', props(RUN_CONFIG_SCHEMA, 'saliency', 'ratio')],
    ];
    const limits = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const;
    const settings = contributes.configuration.properties;
    for (const [name, schema] of pairs) {
      const setting = settings[name];
      assert.ok(setting, `${name} is not contributed`);
      const types = ([] as string[]).concat(setting.type).filter((t) => t !== 'null');
      assert.deepEqual(types, [schema.type], `${name}: type`);
      // The ratio setting starts at the panel slider's 0.01 (stricter than the schema's > 0, which it
      // must stay inside); every other limit is the schema's own.
      const expected: Partial<Record<(typeof limits)[number], number>> =
        name === 'salun.saliencyRatio'
          ? { minimum: SETTING_RATIO_MIN, maximum: schema.maximum }
          : Object.fromEntries(limits.filter((l) => schema[l] !== undefined).map((l) => [l, schema[l]]));
      const actual = Object.fromEntries(limits.filter((l) => setting[l] !== undefined).map((l) => [l, setting[l]]));
      assert.deepEqual(actual, expected, `${name}: limits differ from the schema's`);
    }
    assert.ok(SETTING_RATIO_MIN > (pairs[5][1].exclusiveMinimum ?? 0));
    for (const v of settings['salun.backend'].enum ?? [])
      assert.ok((BACKEND_CHOICES as readonly string[]).includes(v), `salun.backend offers ${v}, which the schema rejects`);
  });

  it('salun.backend is the backend table: every choice in its order, each described by its row', () => {
    const setting = contributes.configuration.properties['salun.backend'];
    assert.deepEqual(setting.enum, [...BACKEND_CHOICES]);
    const [auto, ...rows] = setting.markdownEnumDescriptions ?? [];
    assert.deepEqual(
      rows,
      BACKEND_NAMES.map((n) => BACKENDS[n].description),
    );
    // auto's line names the backends in the order auto tries them.
    const at = BACKEND_NAMES.map((n) => auto.search(new RegExp(`(?<![\\w-])${n}(?![\\w-])`)));
    assert.ok(
      at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1])),
      `auto's description does not list ${BACKEND_NAMES.join(', ')} in order: ${auto}`,
    );
  });

  it('salun.nativeModulesDir is a machine setting: a workspace cannot name a folder of native code to load', () => {
    const setting = contributes.configuration.properties['salun.nativeModulesDir'];
    assert.equal(setting?.type, 'string');
    assert.equal(setting.scope, 'machine');
  });

  it('the walkthrough’s subtitle, step titles and button labels are short enough not to be cut', () => {
    // Measured in code-server at 1400 × 900 with the image column beside the steps (the
    // e2e case test/workbench/cases/walkthrough.ts measures the real page): the steps' column is
    // ≈ 250 px. The subtitle is cut after 3 lines (≈ 22 characters each at its size: 103 were cut,
    // 58 fit); a collapsed step's title is one line of ≈ 246 px (32 bold characters took 251 px);
    // a button is one line in the same column.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      contributes: { walkthroughs: Array<{ description: string; steps: Array<{ title: string; description: string }> }> };
    };
    for (const w of manifest.contributes.walkthroughs) {
      assert.ok(w.description.length <= 60, `subtitle of ${w.description.length} characters (at most 60): "${w.description}"`);
      for (const step of w.steps) {
        assert.ok(step.title.length <= 28, `step title of ${step.title.length} characters (at most 28): "${step.title}"`);
        for (const [, label] of step.description.matchAll(/\[([^\]]+)\]\(command:/g))
          assert.ok(label.length <= 20, `button "${label}" of ${label.length} characters (at most 20), step "${step.title}"`);
      }
    }
  });

  it('the walkthrough and the welcome views link only commands that exist, and show images that ship', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
      publisher: string;
      contributes: {
        walkthroughs: Array<{ id: string; steps: Array<{ description: string; media: { image: string }; completionEvents: string[] }> }>;
        viewsWelcome: Array<{ contents: string; when?: string }>;
      };
    };
    const ours = new Set<string>(Object.values(COMMAND_IDS));
    const texts = [
      ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.description)),
      ...manifest.contributes.viewsWelcome.map((v) => v.contents),
    ];
    for (const text of texts) {
      for (const [, id] of text.matchAll(/\(command:(salun\.[\w.]+)/g)) assert.ok(ours.has(id), `links ${id}, which is not contributed`);
      // Links to the walkthrough name it as VS Code does: <publisher>.<name>#<id>.
      for (const [, target] of text.matchAll(/openWalkthrough\?%22([^%]+)%23([^%]+)%22/g)) assert.equal(target, `${manifest.publisher}.${manifest.name}`);
    }
    for (const step of manifest.contributes.walkthroughs.flatMap((w) => w.steps)) {
      assert.ok(existsSync(join(root, step.media.image)), `${step.media.image} is missing`);
      for (const ev of step.completionEvents) assert.ok(ours.has(ev.replace(/^onCommand:/, '')), `completion event ${ev} names no contributed command`);
    }
    // One welcome for no folder, one for Restricted Mode, one for a trusted folder without runs.
    assert.deepEqual(
      manifest.contributes.viewsWelcome.map((v) => v.when),
      ['workbenchState == empty', 'workbenchState != empty && !isWorkspaceTrusted', 'workbenchState != empty && isWorkspaceTrusted'],
    );
  });
});
