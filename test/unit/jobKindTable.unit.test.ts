// The job-kind table as an architecture rule: a task is its row (protocol/jobMessages.ts's
// JobConfigs and JOB_KIND_FACTS, protocol/configKinds.ts's JOB_KIND_ROWS, the engine's JOB_RUNNERS)
// and its implementation; nothing else branches on its name. The rule is kept for the task kinds
// (generation): 'run', 'table' and 'grid' are also everyday words of the code.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { JOB_KIND_ROWS } from '../../src/protocol/configKinds';
import { JOB_KIND_FACTS, JOB_KINDS } from '../../src/protocol/jobMessages';
import { JOB_RUNNERS_KINDS } from '../../src/engine/pipeline/jobRunners';
import { sourceFiles } from './sourceNames';

const root = join(__dirname, '..', '..', '..');

/** Only string literals: a property named like the kind (a result's `generation` rows) is not a branch on it. */
function stringLiterals(path: string): Set<string> {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

describe('job kind table', () => {
  it('every kind has its facts, its row and a runner (the compiler holds the types; this holds the keys)', () => {
    assert.deepEqual(Object.keys(JOB_KIND_FACTS), [...JOB_KINDS]);
    assert.deepEqual(Object.keys(JOB_KIND_ROWS).sort(), [...JOB_KINDS].sort());
    assert.deepEqual([...JOB_RUNNERS_KINDS].sort(), [...JOB_KINDS].sort());
  });

  it("the generation task's name is written only in its implementation (files named for it)", () => {
    const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'webview'))]
      .filter((p) => stringLiterals(p).has('generation'))
      .map((p) => relative(root, p).split('\\').join('/'));
    const outside = files.filter((f) => !/\/gen[^/]*$|\/generation\//.test(f));
    assert.deepEqual(outside, [], `'generation' is written in ${outside.join(', ')}: read what the code needs from JOB_KIND_FACTS or the kind's row instead`);
    assert.ok(files.length > 0, 'the scan found no file at all: the rule would pass vacuously');
  });
});
