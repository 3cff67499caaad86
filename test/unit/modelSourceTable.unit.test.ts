// The model source table as an architecture rule: a source of θo is its row
// (src/protocol/modelSources.ts), its variant of ModelSpec (src/protocol/config.ts) and its loader
// in MODEL_LOADERS (src/engine/models/sources.ts); its name is written in those three files and
// nowhere else, and the schema, the New Run flow and the reports read the row. The rule is kept for
// the sources of the user's own files after the first: 'builtin' and 'file' are also everyday words
// of the code (a data file, a file dialog), as 'run' is for job kinds.
import { strict as assert } from 'node:assert';
import { MODEL_SOURCE_NAMES, MODEL_SOURCES } from '../../src/protocol/modelSources';
import { RUN_CONFIG_SCHEMA } from '../../src/protocol/runConfigSchema';
import { MODEL_LOADERS } from '../../src/engine/models/sources';
import { filesWriting } from './sourceNames';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const FILES = ['src/protocol/modelSources.ts', 'src/protocol/config.ts', 'src/engine/models/sources.ts'];
const EVERYDAY_WORDS: readonly string[] = ['builtin', 'file'];

/** A literal that is a source's name but means something else, with the reason. */
const NOT_A_SOURCE: readonly { file: string; text: string; why: string }[] = [
  { file: 'src/store/runs/modelExport.ts', text: 'onnx', why: 'the export format (MODEL_EXPORT_FORMATS), a table of what a run wrote, not where θo came from' },
];

describe('model source table', () => {
  it("a source's name is written in its row, its ModelSpec variant and its loader only", () => {
    const names = MODEL_SOURCE_NAMES.filter((n) => !EVERYDAY_WORDS.includes(n));
    assert.ok(names.length >= 2, 'the rule checks at least the ONNX and PyTorch sources');
    for (const [name, files] of filesWriting(root, names)) {
      for (const f of FILES) assert.ok(files.includes(f), `${name} is not written in ${f}: its row, ModelSpec variant or loader is missing`);
      const others = files.filter((f) => !FILES.includes(f) && !NOT_A_SOURCE.some((x) => x.file === f && x.text === name));
      assert.deepEqual(others, [], `'${name}' is written in ${others.join(', ')}: read what is needed from MODEL_SOURCES instead`);
    }
  });

  it('every exemption still names a real occurrence', () => {
    const found = filesWriting(
      root,
      NOT_A_SOURCE.map((x) => x.text),
    );
    for (const x of NOT_A_SOURCE) assert.ok(found.get(x.text)?.includes(x.file), `${x.file} no longer writes '${x.text}': drop the exemption`);
  });

  it('every row has a loader, and the schema offers every row with its fields', () => {
    assert.deepEqual(Object.keys(MODEL_LOADERS).sort(), [...MODEL_SOURCE_NAMES].sort());
    const branches = RUN_CONFIG_SCHEMA.properties?.model?.oneOf ?? [];
    assert.deepEqual(
      branches.map((b) => b.properties?.kind?.const),
      MODEL_SOURCE_NAMES,
    );
    for (const b of branches) {
      const row = MODEL_SOURCES[b.properties?.kind?.const as keyof typeof MODEL_SOURCES];
      assert.deepEqual(b.required, ['kind', ...row.required]);
      for (const field of Object.keys(row.fields)) assert.ok(b.properties?.[field], `${String(b.properties?.kind?.const)}: ${field}`);
    }
  });
});
