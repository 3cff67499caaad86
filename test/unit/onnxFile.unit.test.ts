// Hostile and unsupported ONNX files: each a clear error naming the file and the problem, before
// any model is built. The files are made here with onnx-proto, as an attacker or a broken export would.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { parseOnnx, readOnnx } from '../../src/engine/models/onnx/onnxFile';
import { importOnnx } from '../../src/engine/models/onnx/importOnnx';
import { rewriteOnnx } from '../../src/engine/models/onnx/rewriteOnnx';
import { withWeightSnapshot } from '../../src/engine/models/weightReads';
import { UserError } from '../../src/store/errors';

const F = onnx.TensorProto.DataType.FLOAT;

function valueInfo(name: string, dims: Array<number | string>): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
}

function model(nodes: onnx.INodeProto[], initializers: onnx.ITensorProto[] = [], opset = 17, output = 'y'): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'g', node: nodes, initializer: initializers, input: [valueInfo('x', ['batch', 4])], output: [valueInfo(output, ['batch', 2])] },
  }).finish();
}

function floats(name: string, dims: number[], bytes?: number): onnx.ITensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  return { name, dims, dataType: F, rawData: new Uint8Array(bytes ?? n * 4) };
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UserError && pattern.test(e.message), `expected a UserError matching ${pattern}`);
}

const gemm = (inputs = ['x', 'W', 'b']): onnx.INodeProto => ({
  name: 'fc',
  opType: 'Gemm',
  input: inputs,
  output: ['y'],
  attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
});

describe('ONNX files from outside', () => {
  it('reads a minimal Linear classifier and names its weights by the module', () => {
    const imp = importOnnx(parseOnnx(model([gemm(['x', 'fc.weight', 'fc.bias'])], [floats('fc.weight', [2, 4]), floats('fc.bias', [2])]), '/m/model.onnx'));
    assert.deepEqual(
      imp.bindings.map((b) => b.initializer),
      ['fc.weight', 'fc.bias'],
    );
    assert.equal(imp.model.outputs[0].shape[1], 2);
  });

  it('refuses bytes that are not ONNX', () => {
    rejects(() => parseOnnx(new TextEncoder().encode('{"modelTopology": {}}'), '/m/model.onnx'), /model\.onnx: not an ONNX model/);
  });

  it('refuses a declared tensor larger than the bytes it holds (no allocation from the declaration)', () => {
    rejects(
      () => parseOnnx(model([gemm()], [floats('W', [50000, 50000], 32), floats('b', [2])]), '/m/model.onnx'),
      /declares \[50000, 50000\].*holds 32 bytes/,
    );
  });

  it('refuses external data outside the model folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-'));
    const W: onnx.ITensorProto = {
      name: 'W',
      dims: [2, 4],
      dataType: F,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: 'location', value: '../secret.bin' }],
    };
    rejects(() => parseOnnx(model([gemm()], [W, floats('b', [2])]), join(dir, 'model.onnx')), /points outside the model's folder/);
  });

  it('the rewritten model stands alone: trained and constant initializers from external data are copied in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-'));
    const data = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 0.5, -0.5, 10, 20]);
    writeFileSync(join(dir, 'model.onnx.data'), new Uint8Array(data.buffer));
    const ext = (name: string, dims: number[], offset: number): onnx.ITensorProto => ({
      name,
      dims,
      dataType: F,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: 'model.onnx.data' },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(dims.reduce((a, b) => a * b, 1) * 4) },
      ],
    });
    const add: onnx.INodeProto = { name: 'shift', opType: 'Add', input: ['h', 'shift'], output: ['y'] };
    const fc = { ...gemm(['x', 'fc.weight', 'fc.bias']), output: ['h'] };
    const path = join(dir, 'model.onnx');
    const bytes = model([fc, add], [ext('fc.weight', [2, 4], 0), ext('fc.bias', [2], 32), ext('shift', [2], 40)]);
    writeFileSync(path, bytes);
    const { graph } = await readOnnx(path);
    // The run records the sha256 of every file θo came from: the graph and its external data.
    assert.deepEqual(graph.externalFiles, [join(dir, 'model.onnx.data')]);
    const imp = importOnnx(graph);
    const out = await withWeightSnapshot(imp.model, () => rewriteOnnx(bytes, path, imp.model, imp.bindings));
    const inits = onnx.ModelProto.decode(out).graph!.initializer!;
    for (const t of inits) assert.notEqual(t.dataLocation, onnx.TensorProto.DataLocation.EXTERNAL, `${t.name} still points at external data`);
    const valuesOf = (name: string): number[] => {
      const raw = inits.find((t) => t.name === name)!.rawData!;
      return [...new Float32Array(Uint8Array.from(raw).buffer)];
    };
    assert.deepEqual(valuesOf('fc.weight'), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(valuesOf('shift'), [10, 20]);
  });

  it('refuses a cycle', () => {
    const a: onnx.INodeProto = { name: 'a', opType: 'Relu', input: ['c'], output: ['y'] };
    const b: onnx.INodeProto = { name: 'b', opType: 'Relu', input: ['y'], output: ['c'] };
    rejects(() => parseOnnx(model([a, b]), '/m/model.onnx'), /cycle/);
  });

  it('refuses opsets outside 13–21, naming what to export with', () => {
    rejects(() => parseOnnx(model([gemm()], [floats('W', [2, 4]), floats('b', [2])], 9), '/m/model.onnx'), /opset 9: SalUn reads opsets 13–21/);
  });

  it('names an unsupported op, its node and inputs, before building anything', () => {
    const lstm: onnx.INodeProto = { name: 'rnn', opType: 'LSTM', input: ['x', 'W', 'R'], output: ['y'] };
    rejects(
      () => importOnnx(parseOnnx(model([lstm], [floats('W', [1, 4, 4]), floats('R', [1, 4, 1])]), '/m/model.onnx')),
      /node rnn uses op LSTM with inputs x, W, R/,
    );
  });

  it('reads a file from disk and stops on a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-'));
    const path = join(dir, 'model.onnx');
    writeFileSync(path, model([gemm()], [floats('W', [2, 4]), floats('b', [2])]));
    assert.equal((await readOnnx(path)).graph.nodes.length, 1);
    await assert.rejects(readOnnx(join(dir, 'none.onnx')), /file not found/);
  });
});
