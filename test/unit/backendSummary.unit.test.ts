// How a job's backend is told to the user (src/protocol/backendSummary.ts, shared by the panel, the
// status bar, the reports and the CLI) and read back from a run folder (backendRecord.ts).
import { strict as assert } from 'node:assert';
import { backendInfoOf } from '../../src/protocol/backendRecord';
import { adapterSummary, backendFacts, backendLines, backendMarkdownItems, skippedSummary } from '../../src/protocol/backendSummary';
import type { BackendInfo } from '../../src/protocol/results';
import { AUTO_ON_GPU, AUTO_ON_SWIFTSHADER } from './backendFixtures';

const FORCED_SWIFTSHADER: BackendInfo = {
  name: 'webgpu',
  reason: 'forced by configuration; webgpu on SwiftShader driver 5.0.0 (google, swiftshader; software)',
  detail: 'SwiftShader driver 5.0.0 (google, swiftshader; software)',
  adapter: { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', software: true },
};

describe('backend summary', () => {
  it('names the adapter by its description, with vendor, architecture and a device id that differs', () => {
    assert.equal(adapterSummary(AUTO_ON_GPU.adapter!), 'NVIDIA GeForce RTX 4090: vendor nvidia, architecture lovelace, device 0x2684');
    assert.equal(
      adapterSummary(FORCED_SWIFTSHADER.adapter!),
      'SwiftShader driver 5.0.0: vendor google, architecture swiftshader, device swiftshader-device-subzero-; a software adapter (a CPU emulating a GPU)',
    );
    // Dawn may leave fields empty; the device names it then, and nothing says "vendor ".
    assert.equal(
      adapterSummary({ vendor: '', architecture: '', device: 'llvmpipe', description: '', software: true }),
      'llvmpipe: vendor not reported; a software adapter (a CPU emulating a GPU)',
    );
  });

  it('says why each backend was skipped once, with its label, without repeating the name', () => {
    assert.equal(
      skippedSummary(AUTO_ON_SWIFTSHADER.skipped![1]),
      'webgpu (WebGPU (Dawn)): only a software adapter, SwiftShader driver 5.0.0 (google, swiftshader; software); auto takes hardware adapters only',
    );
    // A package that is not there reads "not installed": where it was looked for stays in the log's debug lines.
    assert.equal(skippedSummary(AUTO_ON_SWIFTSHADER.skipped![0]), 'tensorflow-gpu (TensorFlow (CUDA)): not installed');
    // An older run folder's reason, with the hints for two audiences after it, reads the same.
    const older = {
      name: 'tensorflow' as const,
      why: '@tensorflow/tfjs-node is not installed beside the engine (no SALUN_TFJS_NODE_DIR or native backend folder set): run the command "SalUn: Install Native TensorFlow Backend", or in a source checkout `node scripts/build-tfjs-node.mjs` and SALUN_TFJS_NODE_DIR=.cache/tfjs-node',
    };
    assert.equal(skippedSummary(older), 'tensorflow (TensorFlow (CPU)): not installed');
  });

  it("auto after skips: the choice counts them and each is listed; forced: the engine's reason", () => {
    const auto = backendFacts(AUTO_ON_SWIFTSHADER);
    assert.equal(auto.choice, 'auto, after 3 skipped');
    assert.equal(auto.adapter, undefined);
    assert.deepEqual(auto.skipped, AUTO_ON_SWIFTSHADER.skipped!.map(skippedSummary));
    const forced = backendFacts(FORCED_SWIFTSHADER);
    assert.equal(forced.choice, FORCED_SWIFTSHADER.reason);
    assert.deepEqual(forced.skipped, []);
    assert.equal(forced.adapter, adapterSummary(FORCED_SWIFTSHADER.adapter!));
  });

  it('terminal lines and Markdown items carry the title, the adapter and every skipped backend', () => {
    assert.deepEqual(backendLines(AUTO_ON_GPU), [
      'backend: webgpu (NVIDIA GeForce RTX 4090 (nvidia, lovelace))',
      '  chosen: auto, after 1 skipped',
      '  GPU adapter: NVIDIA GeForce RTX 4090: vendor nvidia, architecture lovelace, device 0x2684',
      '  skipped tensorflow-gpu (TensorFlow (CUDA)): not installed',
    ]);
    assert.deepEqual(backendMarkdownItems(AUTO_ON_GPU), [
      '- Backend: webgpu (NVIDIA GeForce RTX 4090 (nvidia, lovelace)); auto, after 1 skipped',
      '  - GPU adapter: NVIDIA GeForce RTX 4090: vendor nvidia, architecture lovelace, device 0x2684',
      '  - Skipped tensorflow-gpu (TensorFlow (CUDA)): not installed',
    ]);
    assert.deepEqual(backendLines({ name: 'cpu', reason: 'forced by configuration', detail: '' }), ['backend: cpu', '  chosen: forced by configuration']);
  });
});

describe('backend record', () => {
  it('reads back what the job wrote, adapter and skipped included', () => {
    assert.deepEqual(backendInfoOf(JSON.parse(JSON.stringify(AUTO_ON_GPU))), AUTO_ON_GPU);
    assert.deepEqual(backendInfoOf(JSON.parse(JSON.stringify(AUTO_ON_SWIFTSHADER))), AUTO_ON_SWIFTSHADER);
  });

  it('keeps what is well-formed: an older record without them, a torn adapter, a bad skipped entry', () => {
    assert.deepEqual(backendInfoOf({ name: 'wasm', reason: 'auto', detail: 'd' }), { name: 'wasm', reason: 'auto', detail: 'd' });
    assert.deepEqual(
      backendInfoOf({
        name: 'webgpu',
        adapter: { vendor: 'x' },
        skipped: [
          { name: 'nope', why: 'x' },
          { name: 'tensorflow', why: 1 },
          { name: 'tensorflow-gpu', why: 'no CUDA' },
        ],
      }),
      { name: 'webgpu', reason: '', detail: '', skipped: [{ name: 'tensorflow-gpu', why: 'no CUDA' }] },
    );
    assert.equal(backendInfoOf({ reason: 'no name' }), undefined);
    assert.equal(backendInfoOf('webgpu'), undefined);
  });
});
