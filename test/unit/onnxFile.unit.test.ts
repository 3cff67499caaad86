// Hostile and unsupported ONNX files: each a clear error naming the file and the problem, before
// any model is built. The files are made here with onnx-proto, as an attacker or a broken export would.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { parseOnnx, readOnnx } from '../../src/engine/models/onnx/onnxFile';
import { importOnnx } from '../../src/engine/models/onnx/importOnnx';
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
