/**
 * wasm 'BatchMatMul' and '_FusedMatMul' with transposed operands made fast. The stock kernels run
 * XNNPACK only when neither operand is transposed and fall back to a scalar loop otherwise, and
 * every matMul gradient transposes one operand (dA = dY·Bᵀ, dB = Aᵀ·dY): for Bibtex's
 * 1836 × 150 layer at batch 32 the flagged products took 6–7 ms against 0.5–1.3 ms for a
 * Transpose followed by the plain product. So: transpose explicitly, then call the stock kernel.
 */
import { tf } from '../tf.js';
import { installWasmKernel } from './install-wasm-kernel.js';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

function transposeLast2(x: tf.TensorInfo, backend: tf.KernelBackend, transpose: tf.KernelConfig): tf.TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

function withPlainOperands(stock: tf.KernelConfig): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as MatMulAttrs;
    if (!a.transposeA && !a.transposeB) return stock.kernelFunc({ inputs, backend, attrs });
    const b = backend as tf.KernelBackend;
    const transpose = tf.getKernel('Transpose', 'wasm')!;
    const temps: tf.TensorInfo[] = [];
    const plain = (t: tf.TensorInfo, flag: boolean) => {
      if (!flag) return t;
      const out = transposeLast2(t, b, transpose);
      temps.push(out);
      return out;
    };
    try {
      return stock.kernelFunc({
        inputs: { ...inputs, a: plain(inputs.a!, a.transposeA), b: plain(inputs.b!, a.transposeB) },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) b.disposeData(t.dataId);
    }
  };
}

export function installWasmMatMul(): void {
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    installWasmKernel(name, (stock) => {
      if (!stock) throw new Error(`wasm backend has no '${name}' kernel to wrap`);
      return withPlainOperands(stock);
    });
  }
}
