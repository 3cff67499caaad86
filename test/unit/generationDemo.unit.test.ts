// The editor's Generation Unlearning Demo: its recipes are the CLI demo's config with one row's
// changes, each a valid generation config reading the shipped θo; a script's arguments are checked.
import { strict as assert } from 'node:assert';
import { parseGenerationConfig } from '../../src/protocol/generationConfig';
import { parseGenerationMethods } from '../../src/protocol/genMethods';
import { GEN_DEMO_RECIPES, genDemoConfig, genDemoRecipeConfig, parseGenDemoArgs, type GenDemoRecipe } from '../../src/store/generationDemo';

describe('the generation demo from the editor', () => {
  it('each recipe is a valid generation config on the shipped θo, forgetting the chosen class on the chosen backend', () => {
    for (const recipe of Object.keys(GEN_DEMO_RECIPES) as GenDemoRecipe[]) {
      const c = genDemoRecipeConfig(3, recipe, 'wasm');
      assert.deepEqual(parseGenerationConfig(JSON.parse(JSON.stringify(c)), recipe), c, `${recipe} does not parse to itself`);
      assert.equal(c.forgetClass, 3);
      assert.equal(c.backend, 'wasm');
      assert.equal(c.original.kind, 'file', 'the shipped θo, not a 5,000-step training');
      assert.ok(c.original.kind === 'file' && /^[0-9a-f]{64}$/.test(c.original.sha256 ?? ''), 'checked against its recorded SHA-256');
    }
    // Quick is the CLI's `salun gen-demo`; the authors' recipe is the documented command's flags.
    const { forgetClass: _f, backend: _b, ...quick } = genDemoRecipeConfig(7, 'quick', 'auto');
    const { forgetClass: _f2, backend: _b2, ...demo } = genDemoConfig();
    assert.deepEqual(quick, demo);
    const authors = genDemoRecipeConfig(7, 'authors', 'auto');
    assert.deepEqual(
      [authors.unlearn.iterations, authors.unlearn.batchSize, authors.unlearn.otherClass, authors.sampling.samplesPerClass],
      [1000, 128, 'next', 100],
    );
  });

  it("a script's { forgetClass, recipe } is checked, recipe quick when left out; anything else is a user's call", () => {
    assert.equal(parseGenDemoArgs(undefined, 'cmd'), undefined);
    assert.equal(parseGenDemoArgs({}, 'cmd'), undefined);
    assert.deepEqual(parseGenDemoArgs({ forgetClass: 2 }, 'cmd'), { forgetClass: 2, recipe: 'quick' });
    assert.deepEqual(parseGenDemoArgs({ forgetClass: 0, recipe: 'authors' }, 'cmd'), { forgetClass: 0, recipe: 'authors' });
    assert.throws(() => parseGenDemoArgs({ forgetClass: 10 }, 'cmd'), /cmd: forgetClass must be a class index from 0 to 9, got 10/);
    assert.throws(() => parseGenDemoArgs({ forgetClass: 1.5 }, 'cmd'), /forgetClass/);
    assert.throws(() => parseGenDemoArgs({ forgetClass: 1, recipe: 'slow' }, 'cmd'), /recipe must be one of quick, authors, got "slow"/);
    assert.deepEqual(parseGenDemoArgs({ forgetClass: 1, methods: ['rl', 'salun'] }, 'cmd'), { forgetClass: 1, recipe: 'quick', methods: ['salun', 'rl'] });
    assert.throws(
      () => parseGenDemoArgs({ forgetClass: 1, methods: ['ft'] }, 'cmd'),
      /cmd: "ft" is not a method of a generation job; choose from salun, esd, rl/,
    );
    assert.throws(() => parseGenDemoArgs({ forgetClass: 1, methods: [] }, 'cmd'), /methods must be a non-empty list/);
  });

  it('a subset of the methods is a valid generation config that runs only those', () => {
    const c = genDemoRecipeConfig(3, 'quick', 'wasm', genDemoConfig(), ['esd']);
    assert.deepEqual(parseGenerationConfig(JSON.parse(JSON.stringify(c)), 'subset').methods, ['esd']);
    assert.deepEqual(parseGenerationMethods('salun, esd', '--methods'), ['salun', 'esd']);
    assert.throws(() => parseGenerationMethods('salun,bogus', '--methods'), /--methods: "bogus" is not a method of a generation job/);
  });
});
