// Tensors crossing the worker boundary: plain { type, data, dims } objects whose buffers are
// transferred, not copied.
import type { TensorLike, Tensors } from './options.ts';

/** A plain, cloneable tensor from an ort.Tensor or anything shaped like one. */
export function plainTensor(t: TensorLike): TensorLike {
  return { type: t.type, data: t.data, dims: [...t.dims] };
}

/** The buffers that can move: a typed array that spans its whole buffer. */
export function transferables(t: Tensors): Transferable[] {
  const out: Transferable[] = [];
  const seen = new Set<ArrayBufferLike>();
  for (const v of Object.values(t)) {
    const d = v.data as unknown as ArrayBufferView;
    if (
      ArrayBuffer.isView(d) &&
      d.buffer instanceof ArrayBuffer &&
      d.byteOffset === 0 &&
      d.byteLength === d.buffer.byteLength &&
      !seen.has(d.buffer)
    ) {
      seen.add(d.buffer);
      out.push(d.buffer);
    }
  }
  return out;
}
