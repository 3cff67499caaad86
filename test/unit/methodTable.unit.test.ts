// The method table as an architecture rule: a method is one row (src/protocol/methods.ts), one
// implementation and one registry line, so its name, written out, appears in at most three source
// files. Everything else (schema, grid, table, New Run flow, reports, panel) must read the table.
// The rule is checked on the syntax tree: string literals and property names, not comments.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GRIDS, GRID_PARAMS, gridConfigProblems } from '../../src/protocol/grid';
import { DEFAULT_METHOD_OPTIONS, METHOD_NAMES, METHODS, resolvedOptions, TABLE_METHOD_ORDER } from '../../src/protocol/methods';
import { RUN_CONFIG_SCHEMA } from '../../src/protocol/runConfigSchema';
import { METHOD_IMPLS } from '../../src/engine/methods/registry';
import { methodDisplayName } from '../../src/protocol/comparisonFormat';
import { filesWriting, writtenNames } from './sourceNames';
import { GENERATION_METHOD_NAMES } from '../../src/protocol/generationMethods';

const root = join(__dirname, '..', '..', '..');

/** A literal that is a method's name but means something else, with the reason. */
const NOT_A_METHOD: readonly { file: string; text: string; why: string }[] = [
  { file: 'src/extension/commandIds.ts', text: 'salun', why: 'the view container and the settings section are named after the product' },
];

/**
 * The two method tables are two namespaces ("salun" is a classifier method and, in a generation
 * job, SalUn-gen): each table's names are counted outside the other table's row and registry files.
 */
const CLASSIFIER_TABLE = ['src/protocol/methods.ts', 'src/engine/methods/registry.ts'];
const GENERATION_TABLE = ['src/protocol/generationMethods.ts', 'src/engine/generation/unlearn.ts'];

/** For each name, the files (relative to the root) that write it, exemptions and the other table left out. */
function filesNaming(names: readonly string[], otherTable: readonly string[]): Map<string, string[]> {
  const found = filesWriting(root, names);
  for (const [n, files] of found)
    found.set(
      n,
      files.filter((rel) => !otherTable.includes(rel) && !NOT_A_METHOD.some((x) => x.file === rel && x.text === n)),
    );
  return found;
}

describe('method table', () => {
  it('a method name is written in at most three source files: its row, its implementation, its registry line', () => {
    const found = filesNaming(METHOD_NAMES, GENERATION_TABLE);
    for (const [name, files] of found) {
      assert.ok(files.includes('src/protocol/methods.ts'), `${name} has no row in src/protocol/methods.ts`);
      assert.ok(files.length <= 3, `'${name}' is written in ${files.length} files (${files.join(', ')}): read it from the method table instead`);
    }
  });

  it('so is a generation method name: its row (generationMethods.ts), its step in unlearn.ts, at most one more file', () => {
    const found = filesNaming(GENERATION_METHOD_NAMES, CLASSIFIER_TABLE);
    for (const [name, files] of found) {
      assert.ok(files.includes(GENERATION_TABLE[0]) && files.includes(GENERATION_TABLE[1]), `${name}: no row or no step (${files.join(', ')})`);
      assert.ok(files.length <= 3, `'${name}' is written in ${files.length} files (${files.join(', ')}): read it from the generation method table instead`);
    }
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
