// Runs the exported model through onnxruntime-web's wasm backend in Node: the same runtime and
// arithmetic (float32) the devices use, so the baseline's outputs are what devices will compute.
import * as ort from 'onnxruntime-web';
import { FEATURES, INPUT_NAME, OUTPUT_NAME } from '../model/config.ts';

export async function scoreWithOnnx(model: Uint8Array, rows: number[][], classes: number): Promise<number[][]> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  try {
    const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, FEATURES.length]);
    const out = (await session.run({ [INPUT_NAME]: input }))[OUTPUT_NAME];
    if (!out || out.dims.join() !== `${rows.length},${classes}`)
      throw new Error(`the model's '${OUTPUT_NAME}' output has dims [${out?.dims}]`);
    const data = out.data as Float32Array;
    return rows.map((_, r) => Array.from(data.subarray(r * classes, (r + 1) * classes)));
  } finally {
    await session.release();
  }
}
