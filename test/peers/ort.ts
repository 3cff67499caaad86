// ONNX Runtime (npm onnxruntime-node, installed by scripts/peers.mjs into .cache/ort-node rather than
// node_modules: a test peer, not a dependency) and test/peers/check_export.py, for the peer tests.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createRequire } from 'node:module';

interface OrtTensor {
  readonly data: unknown;
}
interface OrtModule {
  InferenceSession: {
    create(
      path: string,
    ): Promise<{ inputNames: readonly string[]; outputNames: readonly string[]; run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> }>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

const repo = join(__dirname, '..', '..', '..');
let cached: OrtModule | null = null;

function loadOrt(): OrtModule {
  if (cached) return cached;
  const dir = process.env.SALUN_ORT_NODE ?? join(repo, '.cache', 'ort-node');
  try {
    cached = createRequire(join(dir, 'package.json'))('onnxruntime-node') as OrtModule;
  } catch (e) {
    throw new Error(`onnxruntime-node is not in ${dir} (run node scripts/peers.mjs): ${e instanceof Error ? e.message : String(e)}`);
  }
  return cached;
}

/** The first output of an ONNX graph with one float32 input, as ORT computes it on the CPU. */
export async function runOrt(onnxPath: string, input: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(onnxPath);
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, shape) });
  const data = out[session.outputNames[0]].data;
  if (!(data instanceof Float32Array)) throw new Error(`${onnxPath}: output is not float32`);
  return data;
}

export interface CheckExportResult {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly [key: string]: unknown;
}

/** test/peers/check_export.py with the venv's python; the parsed JSON it prints, and its exit code. */
export function checkExport(args: readonly string[]): CheckExportResult {
  const python = process.env.SALUN_PEER_PYTHON ?? join(repo, '.cache', 'py311', 'bin', 'python');
  const r = spawnSync(python, [join(repo, 'test', 'peers', 'check_export.py'), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`check_export.py: could not start ${python} (run node scripts/peers.mjs): ${r.error.message}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`check_export.py exited ${r.status} without JSON: ${r.stderr.slice(-2000)}`);
  }
  return { ...parsed, ok: r.status === 0, exitCode: r.status ?? -1 };
}
