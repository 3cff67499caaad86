// Export Unlearned Model on fabricated run folders: which formats a run has and why not the others,
// a model.json that points outside its folder or at a missing file, atomic copies (a failure leaves
// nothing), the Runs menu entry's context value, the command's scripted arguments and `salun export`.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../../src/store/errors';
import { defaultExportPath, exportRunModel, runModelFormats, type CopyFile } from '../../src/store/runs/modelExport';
import { listRuns } from '../../src/store/runs/readRuns';
import { runTreeEntry } from '../../src/extension/runs/runsTreeModel';
import { formatPickEntries, formatPickPlaceholder, parseExportModelArgs } from '../../src/extension/runs/modelExportArgs';
import { exportCli } from '../../src/cli/exportCommand';

const root = resolve(__dirname, '..', '..', '..');

function safetensorsBytes(): Uint8Array {
  const header = Buffer.from(JSON.stringify({ 'fc.weight': { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, Buffer.from(new Float32Array([1.5, -2]).buffer)]);
}

function modelJson(paths: string[]): string {
  return JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential' }, weightsManifest: [{ paths, weights: [] }] });
}

interface RunOpts {
  source?: string;
  files?: Record<string, string | Uint8Array>;
  kind?: string;
  state?: string;
}

/** A workspace with one run folder <ws>/.salun/runs/<id>; `files` are written under model/. */
function fabricateRun(id: string, o: RunOpts = {}): { ws: string; dir: string } {
  const ws = mkdtempSync(join(tmpdir(), 'salun-export-'));
  const dir = join(ws, '.salun', 'runs', id);
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ kind: o.kind ?? 'run', method: 'salun', model: { kind: o.source ?? 'onnx', path: 'net.onnx' } }));
  writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: o.state ?? 'finished', startedAt: '2026-12-07T00:00:00Z' }));
  const files = o.files ?? {
    'model.json': modelJson(['weights.bin']),
    'weights.bin': new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
    'model.onnx': new Uint8Array([8, 7, 0x12, 3, 4]),
    'model.safetensors': safetensorsBytes(),
  };
  for (const [f, data] of Object.entries(files)) {
    mkdirSync(join(dir, 'model', f, '..'), { recursive: true });
    writeFileSync(join(dir, 'model', f), data);
  }
  return { ws, dir };
}

function thrown(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UserError, `not a UserError: ${String(e)}`);
    return e;
  }
  assert.fail('did not throw');
}

const same = (a: string, b: string): void => assert.deepEqual(readFileSync(a), readFileSync(b), `${a} differs from ${b}`);

describe('Export Unlearned Model: the formats a run has', () => {
  it('lists every format of a complete run, in the table order, with its files and size', () => {
    const { dir } = fabricateRun('20261207-010000-salun');
    const f = runModelFormats(dir);
    assert.deepEqual(
      f.available.map((a) => [a.format, a.files]),
      [
        ['onnx', ['model.onnx']],
        ['safetensors', ['model.safetensors']],
        ['tfjs', ['model.json', 'weights.bin']],
      ],
    );
    assert.deepEqual(f.missing, []);
    assert.equal(f.available[2].bytes, readFileSync(join(dir, 'model', 'model.json')).length + 8);
  });

  it('a run from a tfjs model has no safetensors, and says why and what to do instead', () => {
    const { dir, ws } = fabricateRun('20261207-020000-salun', {
      source: 'file',
      files: { 'model.json': modelJson(['weights.bin']), 'weights.bin': 'w', 'model.onnx': 'o' },
    });
    const f = runModelFormats(dir);
    assert.deepEqual(
      f.available.map((a) => a.format),
      ['onnx', 'tfjs'],
    );
    const e = thrown(() => exportRunModel(dir, 'safetensors', join(ws, 'out.safetensors')));
    assert.match(e.message, /no safetensors .*tfjs model.*no PyTorch twin/);
    assert.match(e.hint ?? '', /Export ONNX instead.*PyTorch checkpoint/);
    assert.match(e.hint ?? '', /This run has: onnx, tfjs/);
    assert.ok(!existsSync(join(ws, 'out.safetensors')));
    assert.match(formatPickPlaceholder(f), /no safetensors: the run started from a tfjs model/);
  });

  it("refuses a model.json whose manifest leads out of the folder ('../x', absolute, a link) or to a missing file", () => {
    const cases: [string, (dir: string) => string[], RegExp][] = [
      ['dotdot', () => ['../x'], /outside the model folder/],
      ['absolute', (dir) => [join(dir, 'config.json')], /absolute path/],
      ['link', (dir) => (symlinkSync(join(dir, 'config.json'), join(dir, 'model', 'link.bin')), ['link.bin']), /link that leads outside/],
      ['missing', () => ['weights.bin', 'group2.bin'], /group2\.bin, which is missing/],
    ];
    for (const [name, paths, why] of cases) {
      const { dir, ws } = fabricateRun(`20261207-030000-${name}`, { files: { 'weights.bin': 'w', 'model.onnx': 'o' } });
      writeFileSync(join(dir, 'x'), 'a file of the run, outside model/');
      writeFileSync(join(dir, 'model', 'model.json'), modelJson(paths(dir)));
      const f = runModelFormats(dir);
      const tfjs = f.missing.find((m) => m.format === 'tfjs');
      assert.match(tfjs?.why ?? '', why, name);
      assert.ok(
        f.available.some((a) => a.format === 'onnx'),
        `${name}: the other formats stay exportable`,
      );
      const out = join(ws, 'exported');
      const e = thrown(() => exportRunModel(dir, 'tfjs', out));
      assert.match(e.message, why, name);
      assert.ok(!existsSync(out), `${name}: something was written`);
      assert.deepEqual(readdirSync(ws).sort(), ['.salun'], `${name}: a temp file was left`);
    }
  });

  it('a damaged model.json or safetensors is not offered, with its problem', () => {
    const { dir } = fabricateRun('20261207-040000-salun', {
      files: { 'model.json': '{"modelTopology": {}, "weightsM', 'model.safetensors': new Uint8Array(20) },
    });
    const f = runModelFormats(dir);
    assert.deepEqual(f.available, []);
    assert.match(f.missing.find((m) => m.format === 'tfjs')?.why ?? '', /not valid JSON/);
    assert.match(f.missing.find((m) => m.format === 'safetensors')?.why ?? '', /no valid safetensors header/);
    assert.match(f.missing.find((m) => m.format === 'onnx')?.why ?? '', /wrote no model\.onnx/);
  });

  it('runs without a model say why: a saliency map, a generation run, a failed run', () => {
    const sal = fabricateRun('20261207-050000-saliency', { kind: 'saliency', files: {} });
    assert.match(thrown(() => runModelFormats(sal.dir)).message, /saliency map: it changes no model/);
    const gen = fabricateRun('20261207-050000-gen', { kind: 'generation', files: { 'salun/model.json': modelJson(['weights.bin']) } });
    const g = thrown(() => runModelFormats(gen.dir));
    assert.match(g.message, /generation run: it keeps one tfjs model per method under model\/<method>/);
    const failed = fabricateRun('20261207-050000-failed', { state: 'failed', files: {} });
    assert.match(thrown(() => runModelFormats(failed.dir)).message, /it is failed, and a run writes its model when it ends/);
  });
});

describe('Export Unlearned Model: writing', () => {
  it('copies model.onnx and model.safetensors byte for byte, replacing a file of that name', () => {
    const { dir, ws } = fabricateRun('20261207-060000-salun');
    const out = defaultExportPath(join(ws, 'exports'), '20261207-060000-salun', 'onnx');
    assert.equal(out, join(ws, 'exports', '20261207-060000-salun.onnx'));
    const r = exportRunModel(dir, 'onnx', out);
    assert.deepEqual(r, { format: 'onnx', out, files: [out], bytes: 5 });
    same(out, join(dir, 'model', 'model.onnx'));
    writeFileSync(out, 'an older export');
    exportRunModel(dir, 'onnx', out);
    same(out, join(dir, 'model', 'model.onnx'));
    const st = join(ws, 'net.safetensors');
    exportRunModel(dir, 'safetensors', st);
    same(st, join(dir, 'model', 'model.safetensors'));
    assert.deepEqual(readdirSync(join(ws, 'exports')), ['20261207-060000-salun.onnx'], 'a temp file was left');
  });

  it('writes tfjs as a folder (weights in a subfolder kept), into a new or empty folder, never over files', () => {
    const { dir, ws } = fabricateRun('20261207-070000-salun', {
      files: { 'model.json': modelJson(['weights.bin', 'shards/2.bin']), 'weights.bin': 'one', 'shards/2.bin': 'two', 'model.onnx': 'o' },
    });
    const out = join(ws, 'tfjs');
    const r = exportRunModel(dir, 'tfjs', out);
    assert.deepEqual(r.files, [join(out, 'model.json'), join(out, 'weights.bin'), join(out, 'shards', '2.bin')]);
    for (const f of ['model.json', 'weights.bin', 'shards/2.bin']) same(join(out, f), join(dir, 'model', f));
    const e = thrown(() => exportRunModel(dir, 'tfjs', out));
    assert.match(e.message, /already holds files; a tfjs export never replaces them/);
    const empty = join(ws, 'empty');
    mkdirSync(empty);
    exportRunModel(dir, 'tfjs', empty);
    same(join(empty, 'weights.bin'), join(dir, 'model', 'weights.bin'));
    assert.match(thrown(() => exportRunModel(dir, 'onnx', empty)).message, /is a folder; ONNX is exported as one file/);
    assert.match(thrown(() => exportRunModel(dir, 'tfjs', join(dir, 'model', 'again'))).message, /inside the run's own model folder/);
  });

  it('a copy that fails halfway leaves no partial file or folder, and an older file as it was', () => {
    const { dir, ws } = fabricateRun('20261207-080000-salun');
    let calls = 0;
    const failSecond: CopyFile = (from, to) => {
      if (++calls === 2) {
        writeFileSync(to, 'half');
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }
      writeFileSync(to, readFileSync(from));
    };
    const out = join(ws, 'out', 'tfjs');
    const e = thrown(() => exportRunModel(dir, 'tfjs', out, failSecond));
    assert.match(e.message, /Cannot write .*no space left/);
    assert.match(e.hint ?? '', /disk is full/);
    assert.ok(!existsSync(out));
    assert.deepEqual(readdirSync(join(ws, 'out')), [], 'the temp folder was left');

    const file = join(ws, 'model.onnx');
    writeFileSync(file, 'the older export');
    calls = 1;
    thrown(() => exportRunModel(dir, 'onnx', file, failSecond));
    assert.equal(readFileSync(file, 'utf8'), 'the older export');
    assert.deepEqual(readdirSync(ws).sort(), ['.salun', 'model.onnx', 'out']);
    // A parent that is a file: nothing written, the errno explained.
    assert.match(thrown(() => exportRunModel(dir, 'onnx', join(file, 'x.onnx'))).message, /Cannot write/);
  });
});

describe('Export Unlearned Model: the Runs menu and the command', () => {
  const menu = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, { command?: string; when?: string }[]> } }
  ).contributes.menus;

  it('is on the context menu of a finished or stopped run with a model, not of others', () => {
    const item = menu['view/item/context'].find((i) => i.command === 'salun.exportModel');
    const re = /viewItem =~ \/(.*)\/$/.exec(item?.when ?? '');
    assert.ok(item?.when?.includes('view == salun.runs') && re, JSON.stringify(item));
    const applies = (id: string, o: RunOpts): boolean => {
      const { ws } = fabricateRun(id, o);
      return new RegExp(re[1]).test(runTreeEntry(listRuns(ws)[0]).contextValue);
    };
    assert.ok(applies('20261207-090000-salun', {}));
    assert.ok(applies('20261207-090000-stopped', { state: 'stopped' }));
    assert.ok(!applies('20261207-090000-saliency', { kind: 'saliency', files: {} }));
    assert.ok(!applies('20261207-090000-gen', { kind: 'generation', files: { 'salun/model.json': '{}' } }));
    assert.ok(!applies('20261207-090000-running', { state: 'running' }));
    assert.ok(menu.commandPalette.some((i) => i.command === 'salun.exportModel' && i.when === 'workspaceFolderCount > 0'));
  });

  it('takes { runId, format, outFile } from scripts, and says what is wrong with bad ones', () => {
    assert.equal(parseExportModelArgs(undefined), undefined);
    assert.deepEqual(parseExportModelArgs({ runId: 'r', format: 'tfjs', outFile: 'o' }), { runId: 'r', format: 'tfjs', outFile: 'o' });
    assert.deepEqual(parseExportModelArgs({ runId: 'r' }), { runId: 'r' });
    assert.throws(() => parseExportModelArgs({ runId: 'r', format: 'pt' }), /format must be one of onnx, safetensors, tfjs \(got "pt"\)/);
    assert.throws(() => parseExportModelArgs({ runId: '' }), /runId must be a run id/);
    assert.throws(() => parseExportModelArgs({ runId: 'r', outFile: 3 }), /outFile must be a path/);
  });

  it('offers each format the run has with the line that loads it', () => {
    const { dir } = fabricateRun('20261207-100000-salun');
    const entries = formatPickEntries(runModelFormats(dir));
    assert.deepEqual(
      entries.map((e) => e.format),
      ['onnx', 'safetensors', 'tfjs'],
    );
    assert.equal(entries[1].detail, 'Load with net.load_state_dict(safetensors.torch.load_file("model.safetensors"))');
    assert.match(entries[2].description, /^model\.json \+ weights\.bin · 1 KB$/);
  });
});

describe('salun export', () => {
  it('exports by run id under --workspace, or by run folder, and prints what it wrote', () => {
    const { dir, ws } = fabricateRun('20261207-110000-salun');
    const cwd = mkdtempSync(join(tmpdir(), 'salun-export-cwd-'));
    const r = exportCli(['20261207-110000-salun', '--format', 'onnx', '--out', 'm.onnx', '--workspace', ws], cwd);
    same(join(cwd, 'm.onnx'), join(dir, 'model', 'model.onnx'));
    assert.equal(r.text, `ONNX: ${join(cwd, 'm.onnx')} (5 bytes)`);
    const j = exportCli([dir, '--format=tfjs', '--out', join(cwd, 'tf'), '--json'], cwd);
    assert.deepEqual((JSON.parse(j.text) as { files: string[] }).files, [join(cwd, 'tf', 'model.json'), join(cwd, 'tf', 'weights.bin')]);
    assert.match(exportCli([dir], cwd).text, /model has:\n {2}onnx .*\n {2}safetensors .*\n {2}tfjs .*model\.json, weights\.bin/);
  });

  it('names the bad input: an unknown run, format or option, a missing --out', () => {
    const { ws, dir } = fabricateRun('20261207-120000-salun');
    assert.match(thrown(() => exportCli(['nope', '--format', 'onnx', '--out', 'x', '--workspace', ws])).message, /no run 'nope' in .*\.salun\/runs/);
    assert.match(thrown(() => exportCli([dir, '--format', 'pth', '--out', 'x'])).message, /--format must be one of onnx, safetensors, tfjs, got 'pth'/);
    const noOut = thrown(() => exportCli([dir, '--format', 'safetensors']));
    assert.match(noOut.message, /give --out/);
    assert.equal(noOut.hint, 'e.g. --out 20261207-120000-salun.safetensors');
    assert.match(thrown(() => exportCli([dir, '--fromat', 'onnx'])).message, /salun export: Unknown option '--fromat'/);
    assert.match(thrown(() => exportCli([])).message, /give the run/);
    assert.match(exportCli(['--help']).text, /--format <f>/);
  });
});
