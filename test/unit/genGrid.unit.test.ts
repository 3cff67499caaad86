// The generation grid's pure half (protocol/genGrid.ts): a generation config with one method and
// axes of its recipe; an axis that cannot apply to the method (a ratio without a mask, the other
// method's knob) is refused by name; the default axes are the method's row's; a point's job is the
// method alone with the point's values in its recipe.
import { strict as assert } from 'node:assert';
import { defaultGenerationConfig } from '../../src/protocol/generationConfig';
import { defaultGenGridAxes, genGridCells, genGridPoints, parseGenerationGridConfig, parseGenGridSpec, pointConfig } from '../../src/protocol/genGrid';
import { GENERATION_METHOD_NAMES, generationFacet } from '../../src/protocol/genMethods';
import { ConfigError } from '../../src/protocol/runConfigSchema';

function problems(v: unknown): string {
  try {
    parseGenerationGridConfig(v, 'probe');
    return '';
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
}

describe('generation grid', () => {
  it("every generation method's default axes parse, and only name what applies to it", () => {
    for (const m of GENERATION_METHOD_NAMES) {
      const c = parseGenerationGridConfig({ method: m });
      assert.deepEqual(c.axes, defaultGenGridAxes(m));
      assert.equal('methods' in c, false);
      const f = generationFacet(m);
      for (const a of c.axes) assert.ok(a.param !== 'ratio' || f.usesMask, `${m}: ratio without a mask`);
    }
  });

  it('refuses, by name, a ratio without a mask, the other knob, a value out of range, too many points, a list of methods', () => {
    assert.match(problems({ method: 'rl', axes: [{ param: 'ratio', values: [0.5] }] }), /axis ratio: RL moves every weight/);
    assert.match(problems({ method: 'esd', axes: [{ param: 'beta', values: [1e-3] }] }), /axis beta: ESD is weighed by eta, not beta/);
    assert.match(problems({ method: 'salun', axes: [{ param: 'lr', values: [0] }] }), /axis lr: 0 is out of range \(> 0/);
    assert.match(problems({ method: 'salun', axes: [{ param: 'iterations', values: [2.5] }] }), /iterations: 2\.5 is out of range/);
    const many = Array.from({ length: 9 }, (_, i) => (i + 1) * 1e-5);
    assert.match(
      problems({
        method: 'salun',
        axes: [
          { param: 'lr', values: many },
          { param: 'iterations', values: [1, 2, 3, 4, 5, 6, 7, 8] },
        ],
      }),
      /72 points, more than 64/,
    );
    assert.match(problems({ method: 'salun', methods: ['salun'] }), /a grid tunes one method/);
    assert.match(problems({ method: 'ft' }), /method must be one of salun, esd, rl/);
    assert.throws(() => parseGenGridSpec('lr=1e-4;depth=3'), /unknown grid parameter 'depth' \(known: lr, iterations, ratio, beta, eta\)/);
  });

  it("a point's job is the method alone with the point's values; the cells show θo then each point", () => {
    const c = parseGenerationGridConfig({ method: 'salun', axes: parseGenGridSpec('lr=1e-4,2e-4;ratio=0.3') });
    const points = genGridPoints(c);
    assert.deepEqual(points, [
      { lr: 1e-4, ratio: 0.3 },
      { lr: 2e-4, ratio: 0.3 },
    ]);
    const p = pointConfig(c, points[1]);
    assert.deepEqual(p.methods, ['salun']);
    assert.deepEqual(p.unlearn, { ...defaultGenerationConfig().unlearn, lr: 2e-4, ratio: 0.3 });
    const row = (method: string, ua: number) => ({ label: method, method, ua, retainedAccuracy: 80, fidClassifier: { realTest: 3, theta0: 1 }, seconds: 2 });
    const cells = genGridCells({
      config: c,
      points: [{ label: 'lr=0.0001, ratio=0.3', point: points[0], runId: 'r1', rows: [row('original', 5), row('salun', 90)] }],
    });
    assert.deepEqual(
      cells.map((r) => r[0]),
      ['Point', 'θo', 'SalUn lr=0.0001, ratio=0.3'],
    );
    assert.deepEqual(cells[2].slice(1), ['90.0', '80.0', '3.00', '1.00', '2.0']);
  });
});
