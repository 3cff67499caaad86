// The checkpoint readers and writer against PyTorch itself, run here (not committed fixtures): the
// authors' CIFAR ResNet-18 at full size (45 MB) saved by torch.save and safetensors and read back
// by readCheckpoint, and model.safetensors from writeSafetensors loaded by
// safetensors.torch.load_file into the network with load_state_dict(strict=True).
// Python: SALUN_PEER_PYTHON, else the repository's .cache/py311 venv (torch 2.x + safetensors).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readCheckpoint } from '../../src/store/checkpoints/checkpoint';
import { writeSafetensors } from '../../src/store/checkpoints/safetensors';
import type { StateDict } from '../../src/store/checkpoints/stateDict';
import { peerModels, type TorchRun } from './fixtures';

const root = resolve(__dirname, '..', '..', '..');
const python = process.env.SALUN_PEER_PYTHON ?? join(root, '.cache', 'py311', 'bin', 'python');

function py(script: string, ...args: string[]): string {
  const r = spawnSync(python, ['-c', script, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `${python} failed: ${r.error?.message ?? ''}${r.stderr}`);
  return r.stdout;
}

const RESNET = `
import importlib.util, json, sys, torch, safetensors.torch
spec = importlib.util.spec_from_file_location('arch', 'python/salun_twins.py')
arch = importlib.util.module_from_spec(spec); spec.loader.exec_module(arch)
torch.manual_seed(1)
net = arch.AuthorsResNet18(3, 10)
net.train(); net(torch.randn(4, 3, 32, 32))
sd = net.state_dict()
out = sys.argv[1]
torch.save({'state_dict': sd, 'epoch': 3}, out + '/resnet18.pth')
safetensors.torch.save_file(sd, out + '/resnet18.safetensors')
json.dump({k: [str(v.dtype), list(v.shape), v.double().sum().item(), v.reshape(-1)[-1].item() if v.numel() else 0] for k, v in sd.items()}, open(out + '/summary.json', 'w'))
`;

const LOAD = `
import importlib.util, json, sys, torch, safetensors.torch
spec = importlib.util.spec_from_file_location('arch', 'python/salun_twins.py')
arch = importlib.util.module_from_spec(spec); spec.loader.exec_module(arch)
net = arch.AuthorsResNet18(3, 10)
sd = safetensors.torch.load_file(sys.argv[1])
net.load_state_dict(sd, strict=True)
print(json.dumps({'w': net.fc.weight[0, 0].item(), 'tracked': str(sd['bn1.num_batches_tracked'].dtype), 'n': int(sd['bn1.num_batches_tracked'])}))
`;

describe('peer: checkpoints against PyTorch', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'salun-ckpt-peer-'));
  type Summary = Record<string, [string, number[], number, number]>;
  let summary: Summary;

  before(() => {
    py(RESNET, dir);
    summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
  });

  for (const file of ['resnet18.pth', 'resnet18.safetensors']) {
    it(`reads the authors' ResNet-18 (45 MB) from ${file} as torch saved it`, async () => {
      const start = performance.now();
      const sd = await readCheckpoint(join(dir, file));
      console.log(`      ${file}: ${(performance.now() - start).toFixed(0)} ms`);
      assert.deepEqual([...sd.keys()].sort(), Object.keys(summary).sort());
      for (const [k, [dtype, shape, sum, last]] of Object.entries(summary)) {
        const t = sd.get(k)!;
        assert.equal(t.dtype, dtype === 'torch.int64' ? 'I64' : 'F32', k);
        assert.deepEqual(t.shape, shape, k);
        assert.equal(t.data[t.data.length - 1] ?? 0, Math.fround(last), k);
        const got = t.data.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(got - sum) <= 1e-4 * Math.max(1, Math.abs(sum)) + 1e-3, `${k}: sum ${got} vs ${sum}`);
      }
    });
  }

  it('writeSafetensors → safetensors.torch.load_file → load_state_dict(strict=True)', async () => {
    const sd = await readCheckpoint(join(dir, 'resnet18.pth'));
    sd.get('fc.weight')!.data[0] = 0.125;
    const out = join(dir, 'model.safetensors');
    writeSafetensors(out, sd, { format: 'pt' });
    const got = JSON.parse(py(LOAD, out)) as { w: number; tracked: string; n: number };
    assert.deepEqual(got, { w: 0.125, tracked: 'torch.int64', n: 1 });
  });
});

// Every peer model's state_dict as each torch wrote it (bare, nested, DataParallel, safetensors):
// the same keys, shapes and bits whatever the layout or the torch version that saved it.
describe('peer: checkpoint layouts as torch 2.13 and 1.13 save them', function () {
  this.timeout(300_000);
  for (const run of ['torch213', 'torch113'] as TorchRun[]) {
    it(`${run}: every layout of every model reads as its state_dict`, async () => {
      let read = 0;
      for (const m of peerModels(run)) {
        let first: StateDict | undefined;
        for (const [layout, path] of Object.entries(m.checkpoints)) {
          const sd = await readCheckpoint(path);
          const what = `${run} ${m.name} ${layout}`;
          assert.deepEqual(
            // safetensors keeps its keys sorted; torch.save keeps the module order.
            new Map([...sd].map(([k, t]) => [k, [...t.shape]])),
            new Map(m.stateDictKeys.map((k) => [k.name, k.shape])),
            `${what}: keys or shapes`,
          );
          if (first) for (const [k, t] of sd) assert.deepEqual(t.data, first.get(k)!.data, `${what}: ${k} differs from the other layouts`);
          first ??= sd;
          read++;
        }
      }
      assert.ok(read >= 10, `only ${read} checkpoint files were read`);
    });
  }
});
