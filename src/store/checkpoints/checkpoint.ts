// One entry point for a PyTorch checkpoint: safetensors or torch.save's zip, told apart by their
// first bytes (the extension only decides which format's error a file that is neither gets), and the
// layouts people save: a bare state_dict, or one under "state_dict" (the SalUn authors' training
// scripts), "model", "model_state_dict" or "net" beside the epoch, the optimizer and the accuracy;
// with nn.DataParallel's "module." before every key or not.
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { UserError } from '../errors';
import { readSafetensors } from './safetensors';
import type { StateDict } from './stateDict';
import { readTorchSave, TorchTensor } from './torchSave';

/** Where training scripts put the state_dict, in the order they are tried. */
const WRAPPERS = ['state_dict', 'model_state_dict', 'model', 'net'];
const DATA_PARALLEL = 'module.';

export type CheckpointFormat = 'safetensors' | 'torch.save';

/** The format of a file by its content: a zip (or torch's legacy pickle) is torch.save, an 8-byte length then `{` is safetensors. */
export async function checkpointFormat(path: string): Promise<CheckpointFormat> {
  let head: Buffer;
  try {
    const file = await open(path, 'r');
    try {
      head = Buffer.alloc(9);
      const { bytesRead } = await file.read(head, 0, 9, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch (e) {
    throw new UserError(`Cannot read ${path}: ${(e as Error).message}`, 'Check the path of the checkpoint.', path);
  }
  if (head.length >= 2 && head[0] === 0x50 && head[1] === 0x4b) return 'torch.save';
  if (head.length >= 2 && head[0] === 0x80 && head[1] === 0x02) return 'torch.save';
  if (head.length === 9 && head[8] === 0x7b) return 'safetensors';
  return extname(path).toLowerCase() === '.safetensors' ? 'safetensors' : 'torch.save';
}

/**
 * The state_dict of a checkpoint (.pth, .pt, .bin, .safetensors), "module." prefixes stripped when
 * every key has one. What is beside it (epoch, optimizer state, accuracy) is skipped and said in
 * `onNote`, as is the stripping.
 */
export async function readCheckpoint(path: string, signal?: AbortSignal, onNote?: (note: string) => void): Promise<StateDict> {
  const note = onNote ?? ((): void => undefined);
  const dict =
    (await checkpointFormat(path)) === 'safetensors'
      ? (await readSafetensors(path, signal)).tensors
      : pickStateDict(path, (await readTorchSave(path, signal)).root, note);
  if (dict.size === 0) throw new UserError(`${basename(path)} holds no tensors.`, 'Save the trained network with torch.save(net.state_dict(), path).', path);
  return stripDataParallel(path, dict, note);
}

function tensorEntries(m: Map<unknown, unknown>): [string, TorchTensor][] {
  return [...m].filter((e): e is [string, TorchTensor] => typeof e[0] === 'string' && e[1] instanceof TorchTensor);
}

function keysOf(m: Map<unknown, unknown>): string {
  const keys = [...m.keys()].map(String);
  return keys.slice(0, 10).join(', ') + (keys.length > 10 ? ` … (${keys.length} in all)` : '');
}

function pickStateDict(path: string, root: unknown, note: (n: string) => void): StateDict {
  const name = basename(path);
  if (!(root instanceof Map)) {
    throw new UserError(
      `${name} holds a ${Array.isArray(root) ? 'list' : typeof root}, not a state_dict.`,
      'Save the trained network with torch.save(net.state_dict(), path).',
      path,
    );
  }
  const wrapper = WRAPPERS.find((k) => root.get(k) instanceof Map && tensorEntries(root.get(k) as Map<unknown, unknown>).length > 0);
  let dict = root;
  if (wrapper !== undefined) {
    dict = root.get(wrapper) as Map<unknown, unknown>;
    const rest = [...root.keys()].filter((k) => k !== wrapper).map(String);
    note(`${name}: took the state_dict under "${wrapper}"` + (rest.length ? `; skipped ${rest.join(', ')}` : ''));
  }
  const tensors = tensorEntries(dict);
  if (tensors.length === 0) {
    throw new UserError(
      `${name} holds no state_dict: no tensors at its top level, nor under ${WRAPPERS.map((k) => `"${k}"`).join(', ')}. Its keys: ${keysOf(root)}.`,
      'Save the trained network with torch.save(net.state_dict(), path).',
      path,
    );
  }
  const skipped = [...dict.keys()].filter((k) => !(typeof k === 'string' && dict.get(k) instanceof TorchTensor)).map(String);
  if (skipped.length > 0) note(`${name}: skipped ${skipped.length} entries that are not tensors (${skipped.slice(0, 5).join(', ')})`);
  return new Map(tensors.map(([k, t]) => [k, t.read()]));
}

/** nn.DataParallel saves "module.conv1.weight": stripped only when every key has it, so a net with a real "module" child is left alone. */
function stripDataParallel(path: string, dict: StateDict, note: (n: string) => void): StateDict {
  const keys = [...dict.keys()];
  if (!keys.every((k) => k.startsWith(DATA_PARALLEL))) return dict;
  note(`${basename(path)}: removed nn.DataParallel's "module." prefix from every key`);
  return new Map([...dict].map(([k, t]) => [k.slice(DATA_PARALLEL.length), t]));
}
