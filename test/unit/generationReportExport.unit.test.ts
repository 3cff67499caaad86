// Export Run Report on a generation run exports the report its job wrote, with the grids' links
// rewritten so that they still resolve from where the copy goes.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { exportedGenerationReport } from '../../src/store/runs/generationReportExport';

function genRun(ws: string, report?: string): string {
  const dir = join(ws, '.salun', 'runs', '20261201-000000-gen-forget7');
  mkdirSync(join(dir, 'samples'), { recursive: true });
  for (const f of ['original.png', 'salun.png']) writeFileSync(join(dir, 'samples', f), 'png');
  if (report !== undefined) writeFileSync(join(dir, 'report.md'), report);
  return dir;
}

const REPORT = [
  '# Generation unlearning: forget class 7 (Sneaker)',
  '',
  '| Model | UA |',
  '| --- | ---: |',
  '| SalUn | 96.0 |',
  '',
  '![θo](samples/original.png)',
  '![SalUn](samples/salun.png)',
  '',
].join('\n');

/** The image links of a Markdown text, resolved from `from`'s folder (angle brackets dropped). */
function imageTargets(md: string, from: string): string[] {
  return [...md.matchAll(/!\[[^\]]*\]\(<?([^)>]+)>?\)/g)].map((m) => resolve(dirname(from), m[1]));
}

describe('Export Run Report of a generation run', () => {
  it("exports the job's report with its grid links resolving from the copy's folder, and says where it came from", () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-gen-export-'));
    const dir = genRun(ws, REPORT);
    const out = join(ws, '20261201-000000-gen-forget7-report.md');
    const { markdown, problem } = exportedGenerationReport(dir, out, '2026-12-01T00:00:00Z');
    assert.equal(problem, undefined);
    assert.ok(markdown?.includes('| SalUn | 96.0 |'), markdown);
    assert.ok(markdown?.includes('](.salun/runs/20261201-000000-gen-forget7/samples/salun.png)'), markdown);
    const targets = imageTargets(markdown ?? '', out);
    assert.equal(targets.length, 2);
    for (const t of targets) assert.ok(existsSync(t), `${t} does not exist`);
    assert.match(markdown ?? '', /_Exported 2026-12-01T00:00:00Z from the run folder .*20261201-000000-gen-forget7; the pictures are its samples\/\._\n$/);
  });

  it('a destination whose path to the run holds spaces gets angle-bracket links that still resolve', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun gen export '));
    const dir = genRun(ws, REPORT);
    // Another folder: the way back to the run passes through the folder with spaces.
    const out = join(mkdtempSync(join(tmpdir(), 'salun-gen-out-')), 'gen.md');
    const { markdown } = exportedGenerationReport(dir, out, 'T');
    assert.ok(markdown?.includes('](<../salun gen export '), markdown);
    for (const t of imageTargets(markdown ?? '', out)) assert.ok(existsSync(t), `${t} does not exist`);
  });

  it('without a report.md there is no Markdown but a problem naming the file (the command falls back to the general report)', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-gen-export-'));
    const dir = genRun(ws);
    const r = exportedGenerationReport(dir, join(ws, 'x.md'), 'T');
    assert.equal(r.markdown, undefined);
    assert.match(r.problem ?? '', /report\.md: ENOENT/);
  });
});
