/**
 * wasm kernels for 'Conv2DBackpropInput' (the forward of tf.conv2dTranspose; wasm's own is 4–9× slower
 * than the phased forward convs) and 'Conv2DBackpropFilter' (missing on wasm), built from
 * conv-gradients-ops.ts. Code that calls these kernels directly (tf.conv2dTranspose, stock or fused
 * conv gradients, NCHW) then works, and fast, on wasm.
 */
import { tf } from './tf.js';
import { conv2dFilterGrad, conv2dInputGrad, type ConvPad, type Rounding } from './conv-gradients-ops.js';
import { installWasmKernel, wasmBackendLoaded } from './kernels/install-wasm-kernel.js';
type Shape4 = [number, number, number, number];
interface BackpropAttrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: Rounding;
  inputShape?: Shape4;
  filterShape?: Shape4;
}

/**
 * A Tensor over a kernel input's data. makeTensorFromTensorInfo does not add a backend reference,
 * so one is added here: disposing the wrapper gives it back and the caller's tensor stays alive.
 */
function wrap(info: tf.TensorInfo, backend: tf.KernelBackend): tf.Tensor4D {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend) as tf.Tensor4D;
}

const toNhwc = (t: tf.Tensor4D) => tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D;
const nchwShapeToNhwc = ([n, c, h, w]: Shape4): Shape4 => [n, h, w, c];
function nchwPadToNhwc(pad: ConvPad): ConvPad {
  return Array.isArray(pad) ? [[0, 0], pad[2], pad[3], [0, 0]] : pad;
}

function backpropInput({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const a = attrs as unknown as BackpropAttrs;
  const b = backend as tf.KernelBackend;
  return tf.tidy(() => {
    const dy = wrap(inputs.dy!, b), filter = wrap(inputs.filter!, b);
    if (a.dataFormat !== 'NCHW') return conv2dInputGrad(a.inputShape!, dy, filter, a.strides, a.pad, a.dimRoundingMode);
    const dx = conv2dInputGrad(nchwShapeToNhwc(a.inputShape!), toNhwc(dy), filter, a.strides, nchwPadToNhwc(a.pad), a.dimRoundingMode);
    return tf.transpose(dx, [0, 3, 1, 2]);
  });
}

function backpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const a = attrs as unknown as BackpropAttrs;
  const b = backend as tf.KernelBackend;
  return tf.tidy(() => {
    const x = wrap(inputs.x!, b), dy = wrap(inputs.dy!, b);
    if (a.dataFormat !== 'NCHW') return conv2dFilterGrad(x, dy, a.filterShape!, a.strides, a.pad, a.dimRoundingMode);
    return conv2dFilterGrad(toNhwc(x), toNhwc(dy), a.filterShape!, a.strides, nchwPadToNhwc(a.pad), a.dimRoundingMode);
  });
}

/**
 * Loads the wasm backend package (so its own kernels are registered first and cannot overwrite
 * ours later) and installs both kernels. Idempotent. Does nothing if the package cannot load.
 */
export function registerWasmConvKernels(): void {
  if (!wasmBackendLoaded()) return;
  installWasmKernel('Conv2DBackpropInput', () => backpropInput as tf.KernelFunc);
  installWasmKernel('Conv2DBackpropFilter', () => backpropFilter as tf.KernelFunc);
}
