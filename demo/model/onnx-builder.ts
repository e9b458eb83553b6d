// Writes the demo classifier as an ONNX model with onnx-proto (the same approach as the test
// fixtures in test/fixtures/onnx/build-model.ts). The graph carries its own standardization, so
// the page feeds raw measurements and the edge runtime records them in their real units:
//   probabilities = softmax(((input − mean) / std) · W + b)
// Opset 13, ops onnxruntime-web's wasm backend runs: Sub, Div, MatMul, Add, Softmax.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const OPSET = 13;

export interface LinearSoftmaxModel {
  /** Training means and standard deviations of the features, in input order. */
  mean: number[];
  std: number[];
  /** weights[f][c]: features × classes, on standardized features. */
  weights: number[][];
  bias: number[];
}

export interface ExportNames {
  input: string;
  output: string;
  /** Free text stored in the model (doc_string). */
  description: string;
}

function valueInfo(name: string, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function floatTensor(name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: values };
}

export function buildOnnx(m: LinearSoftmaxModel, names: ExportNames): Uint8Array {
  const features = m.mean.length;
  const classes = m.bias.length;
  if (m.std.length !== features || m.weights.length !== features || m.weights.some((r) => r.length !== classes)) {
    throw new Error(`onnx export: weights must be ${features} × ${classes}, with ${features} means and stds`);
  }
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'weather-classifier',
    node: [
      { opType: 'Sub', input: [names.input, 'mean'], output: ['centered'] },
      { opType: 'Div', input: ['centered', 'std'], output: ['standardized'] },
      { opType: 'MatMul', input: ['standardized', 'W'], output: ['logits0'] },
      { opType: 'Add', input: ['logits0', 'B'], output: ['logits'] },
      {
        opType: 'Softmax',
        input: ['logits'],
        output: [names.output],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }],
      },
    ],
    initializer: [
      floatTensor('mean', [features], m.mean),
      floatTensor('std', [features], m.std),
      floatTensor('W', [features, classes], m.weights.flat()),
      floatTensor('B', [classes], m.bias),
    ],
    input: [valueInfo(names.input, ['batch', features])],
    output: [valueInfo(names.output, ['batch', classes])],
  };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'edgewatch-demo',
    docString: names.description,
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
