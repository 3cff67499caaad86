// The table's footnote names which models came from the model cache, so a table whose Retrain
// models were trained on θo from an earlier table does not claim its Retrain RTE is a cached time.
import * as assert from 'node:assert/strict';
import { tableFootnote } from '../../src/engine/pipeline/classification/tableJob';
import type { TableResult } from '../../src/protocol/table';

const seed = (s: number, originalFrom: 'trained' | 'cache', retrainFrom: 'trained' | 'cache'): TableResult['seeds'][number] => ({
  seed: s,
  forgetSize: 1,
  retainSize: 1,
  testSize: 1,
  originalFrom,
  retrainFrom,
  rows: [],
});

function footnote(seeds: TableResult['seeds']): string {
  return tableFootnote({ seeds, noiseFloor: { pairs: [] } } as unknown as TableResult).join('\n');
}

describe('the comparison table footnote', () => {
  it('names θo and Retrain apart when only one came from the cache', () => {
    assert.match(footnote([seed(1, 'cache', 'trained'), seed(2, 'cache', 'trained')]), /θo of seeds 1, 2 came from the model cache/);
    assert.doesNotMatch(footnote([seed(1, 'cache', 'trained')]), /Retrain of seed/);
    assert.match(footnote([seed(1, 'cache', 'cache'), seed(2, 'trained', 'cache')]), /θo of seed 1 and Retrain of seeds 1, 2 came from the model cache/);
    assert.doesNotMatch(footnote([seed(1, 'trained', 'trained')]), /model cache/);
  });
});
