// The backend table as an architecture rule: a backend is its row (src/protocol/backends.ts), its
// line in src/engine/backend/registry.ts and its own folder under src/engine/backend/ (its start,
// its kernels); its name is written there and nowhere else. What the rest of the engine must know
// of a backend (worker threads, synchronous reads, layers it cannot train, the native install) is a
// fact of its row.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { BACKEND_NAMES, backendRow, isWorkerBackend, NATIVE_BACKEND_NAMES, type BackendName } from '../../src/protocol/backends';
import { BACKEND_IMPLS } from '../../src/engine/backend/registry';
import { nativeChoices } from '../../src/extension/native/nativeInstall';
import { filesWriting } from './sourceNames';

const root = join(__dirname, '..', '..', '..');
const TABLE = ['src/protocol/backends.ts', 'src/engine/backend/registry.ts'];
/** Each backend's folder (the two native TensorFlow backends share theirs). */
const FOLDER: Readonly<Record<BackendName, string>> = { 'tensorflow-gpu': 'native', webgpu: 'webgpu', tensorflow: 'native', wasm: 'wasm', cpu: 'cpu' };

/** A literal that is a backend's name but means something else, with the reason. */
const NOT_A_BACKEND: readonly { file: string; text: string; why: string }[] = [
  { file: 'src/protocol/table.ts', text: 'cpu', why: "the machine's processor model in a table's record" },
  { file: 'src/engine/pipeline/shared/versions.ts', text: 'cpu', why: "the machine's processor model in a run's, table's or audit's record" },
];

describe('backend table', () => {
  it("a backend's name is written in its row, its registry line and its own folder only", () => {
    for (const [name, files] of filesWriting(root, BACKEND_NAMES)) {
      for (const f of TABLE) assert.ok(files.includes(f), `${name}: not written in ${f}`);
      const folder = `src/engine/backend/${FOLDER[name as BackendName]}/`;
      const others = files.filter((f) => !TABLE.includes(f) && !f.startsWith(folder) && !NOT_A_BACKEND.some((x) => x.file === f && x.text === name));
      assert.deepEqual(others, [], `'${name}' is written in ${others.join(', ')}: read what is needed from its row in BACKENDS instead`);
    }
  });

  it('every exemption still names a real occurrence', () => {
    const found = filesWriting(
      root,
      NOT_A_BACKEND.map((x) => x.text),
    );
    for (const x of NOT_A_BACKEND) assert.ok(found.get(x.text)?.includes(x.file), `${x.file} no longer writes '${x.text}': drop the exemption`);
  });

  it("every row has an implementation, and the facts the engine reads are the rows'", () => {
    assert.deepEqual(Object.keys(BACKEND_IMPLS), BACKEND_NAMES);
    assert.deepEqual(
      BACKEND_NAMES.filter((b) => isWorkerBackend(b)),
      BACKEND_NAMES.filter((b) => backendRow(b)?.workers),
    );
    assert.equal(isWorkerBackend('webgpu'), false);
    assert.equal(backendRow('not-a-backend'), undefined);
    assert.deepEqual([...nativeChoices('linux', 'x64').map((c) => c.backend)].sort(), [...NATIVE_BACKEND_NAMES].sort());
    assert.deepEqual(
      nativeChoices('darwin', 'arm64').map((c) => c.backend),
      NATIVE_BACKEND_NAMES.filter((b) => !backendRow(b)?.install?.builds),
    );
  });
});
