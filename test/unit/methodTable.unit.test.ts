// The method table as an architecture rule: a method of either task is one row
// (src/protocol/methods.ts), one implementation and one line in its task's registry, so its name,
// written out, appears in its row and its registries alone (the implementation is reached through
// the registry and need not say it). Everything else
// (schemas, grid, table, New Run flow, reports, panel, a generation job) must read the table.
// The rule is checked on the syntax tree: string literals and property names, not comments.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GRIDS, GRID_PARAMS, gridConfigProblems } from '../../src/protocol/grid';
import { DEFAULT_METHOD_OPTIONS, isMethodName, METHOD_NAMES, METHODS, resolvedOptions, TABLE_METHOD_ORDER } from '../../src/protocol/methods';
import { GENERATION_METHOD_NAMES, generationFacet, methodTasks, type MethodTask } from '../../src/protocol/genMethods';
import { RUN_CONFIG_SCHEMA } from '../../src/protocol/runConfigSchema';
import { METHOD_IMPLS } from '../../src/engine/methods/registry';
import { methodDisplayName } from '../../src/protocol/comparisonFormat';
import { filesWriting, writtenNames } from './sourceNames';
import { defaultGenerationConfig, GENERATION_CONFIG_SCHEMA, GENERATION_METHOD_LABELS } from '../../src/protocol/generationConfig';

const root = join(__dirname, '..', '..', '..');

/** A literal that is a method's name but means something else, with the reason. */
const NOT_A_METHOD: readonly { file: string; text: string; why: string }[] = [
  { file: 'src/extension/commandIds.ts', text: 'salun', why: 'the view container and the settings section are named after the product' },
];

const TABLE = 'src/protocol/methods.ts';
/** Each task's registry: the one place its engine maps a method's name to the implementation. */
const REGISTRY: Readonly<Record<MethodTask, string>> = {
  classification: 'src/engine/methods/registry.ts',
  generation: 'src/engine/generation/unlearn.ts',
};

/** Every row's name (both tasks), with the files (relative to the root) that write it, exemptions left out. */
function filesNaming(): Map<string, string[]> {
  const found = filesWriting(root, Object.keys(METHODS));
  for (const [n, files] of found)
    found.set(
      n,
      files.filter((rel) => !NOT_A_METHOD.some((x) => x.file === rel && x.text === n)),
    );
  return found;
}

describe('method table', () => {
  it("a method's name is written in its row and its task's registry (one per task), nowhere else", () => {
    for (const [name, files] of filesNaming()) {
      const tasks = methodTasks(name);
      assert.ok(tasks.length > 0 && files.includes(TABLE), `${name} has no row of a task in ${TABLE}`);
      for (const t of tasks) assert.ok(files.includes(REGISTRY[t]), `${name} (${t}) has no line in ${REGISTRY[t]}`);
      const others = files.filter((f) => f !== TABLE && !tasks.some((t) => REGISTRY[t] === f));
      assert.deepEqual(others, [], `'${name}' is written in ${others.join(', ')} besides its row and registry: read it from the method table instead`);
    }
  });

  it("a row's tasks are its facets: classifier fields, a generation facet, or both", () => {
    assert.deepEqual(methodTasks('salun'), ['classification', 'generation']);
    assert.deepEqual(methodTasks('ft'), ['classification']);
    assert.deepEqual(methodTasks('esd'), ['generation']);
    assert.deepEqual(methodTasks('retrain'), []);
    assert.ok(!(METHOD_NAMES as readonly string[]).includes('esd'), 'a generation-only method is not offered to classifiers');
    assert.equal(isMethodName('esd'), false);
    assert.deepEqual(
      Object.keys(METHODS)
        .filter((m) => methodTasks(m).includes('generation'))
        .sort(),
      [...GENERATION_METHOD_NAMES].sort(),
    );
  });

  it("a generation job's schema, default methods and labels come from the rows", () => {
    const items = GENERATION_CONFIG_SCHEMA.properties?.methods?.items;
    assert.deepEqual(items?.enum, GENERATION_METHOD_NAMES);
    assert.deepEqual(defaultGenerationConfig().methods, GENERATION_METHOD_NAMES);
    for (const m of GENERATION_METHOD_NAMES) assert.equal(GENERATION_METHOD_LABELS[m], METHODS[m].label);
    assert.deepEqual(
      GENERATION_METHOD_NAMES.map((m) => generationFacet(m).order),
      [...GENERATION_METHOD_NAMES.map((m) => generationFacet(m).order)].sort((a, b) => a - b),
    );
  });

  it('every exemption still names a real occurrence (a stale one would hide nothing and mislead)', () => {
    for (const x of NOT_A_METHOD) assert.ok(writtenNames(join(root, x.file)).has(x.text), `${x.file} no longer writes '${x.text}': drop the exemption`);
  });

  it('the literal scan sees strings, template parts and property names, not comments', () => {
    const probe = join(mkdtempSync(join(tmpdir(), 'salun-method-table-')), 'probe.ts');
    const text = "// 'ft' in a comment\nconst a = { rl: 1, 'ga': 2 };\nconst b = `x${a.rl}`;\nconst c = 'l1';\n";
    writeFileSync(probe, text);
    const w = writtenNames(probe);
    assert.deepEqual(
      ['rl', 'ga', 'l1', 'x'].map((n) => w.has(n)),
      [true, true, true, true],
    );
    assert.equal(w.has('ft'), false);
  });

  it('every row has an implementation and a default grid the grid accepts', () => {
    assert.deepEqual(Object.keys(METHOD_IMPLS), METHOD_NAMES);
    for (const m of METHOD_NAMES) {
      assert.deepEqual(gridConfigProblems({ method: m, seed: 1, axes: DEFAULT_GRIDS[m] }), [], m);
      for (const axis of DEFAULT_GRIDS[m]) assert.ok((GRID_PARAMS as readonly string[]).includes(axis.param), `${m}: ${axis.param}`);
    }
  });

  it('the schema, the table order and the display names come from the rows', () => {
    assert.deepEqual(RUN_CONFIG_SCHEMA.properties?.method?.enum, METHOD_NAMES);
    assert.deepEqual([...TABLE_METHOD_ORDER].sort(), [...METHOD_NAMES].sort());
    for (const m of METHOD_NAMES) assert.equal(methodDisplayName(m), METHODS[m].label);
    const groups = RUN_CONFIG_SCHEMA.properties?.methodOptions?.properties ?? {};
    assert.deepEqual(Object.keys(groups), Object.keys(DEFAULT_METHOD_OPTIONS));
    for (const [key, params] of Object.entries(DEFAULT_METHOD_OPTIONS)) {
      for (const [p, value] of Object.entries(params as Record<string, number>)) assert.equal(groups[key]?.properties?.[p]?.default, value, `${key}.${p}`);
    }
  });

  it("resolvedOptions: the config's values over the row's defaults, only the method's own group", () => {
    assert.deepEqual(resolvedOptions('iu', { iu: { alpha: 3 }, l1: { alpha: 9 } }), { ...DEFAULT_METHOD_OPTIONS.iu, alpha: 3 });
    assert.deepEqual(resolvedOptions('ft', { l1: { alpha: 9 } }), {});
  });
});
