/**
 * Replaces the gradients of the 'Conv2D' and 'Conv2DBackpropInput' (tf.conv2dTranspose) kernels with
 * ones built from forward `tf.conv2d` calls (conv-gradients-ops.ts). wasm has no Conv2DBackpropFilter
 * kernel and a slow Conv2DBackpropInput; cpu's are naive loops (STACK.md §2, §7). On other backends
 * (tensorflow, webgpu, webgl: native backprop kernels) and for NCHW or dilation > 1 the stock
 * gradient that was registered before runs instead. On wasm the two backprop kernels themselves are
 * replaced too (conv-gradients-kernels.ts): a faster tf.conv2dTranspose forward, and the missing
 * Conv2DBackpropFilter for code that calls it directly.
 */
import { tf } from './tf.js';
import { conv2dFilterGrad, conv2dInputGrad, type ConvPad, type Rounding } from './conv-gradients-ops.js';
import { registerWasmConvKernels } from './conv-gradients-kernels.js';

/** Backends on which the forward-op gradients are used. */
const FORWARD_OP_CONV_BACKENDS: ReadonlySet<string> = new Set(['wasm', 'cpu']);

type Shape4 = [number, number, number, number];
interface ConvAttrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: Rounding;
}

/** Marks our configs and remembers the gradient they replaced (even across duplicate module copies). */
interface OwnGradConfig extends tf.GradConfig {
  readonly alenStock: tf.GradConfig | undefined;
}

function useForwardOps(attrs: ConvAttrs): boolean {
  const dil = attrs.dilations ?? 1;
  const dilOne = typeof dil === 'number' ? dil === 1 : dil.every((d) => d === 1);
  return attrs.dataFormat !== 'NCHW' && dilOne && FORWARD_OP_CONV_BACKENDS.has(tf.getBackend());
}

function stockOf(kernelName: string): tf.GradConfig | undefined {
  const current = tf.getGradient(kernelName) as OwnGradConfig | undefined;
  if (current && 'alenStock' in current) return current.alenStock;
  return current;
}

function delegate(stock: tf.GradConfig | undefined, kernelName: string, dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) {
  if (!stock) throw new Error(`no stock gradient for '${kernelName}' to fall back to (NCHW, dilation > 1 or backend ${tf.getBackend()})`);
  return stock.gradFunc(dy, saved, attrs);
}

function conv2dConfig(stock: tf.GradConfig | undefined): OwnGradConfig {
  return {
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    alenStock: stock,
    gradFunc: (dy, saved, attrs) => {
      const a = attrs as unknown as ConvAttrs;
      if (!useForwardOps(a)) return delegate(stock, 'Conv2D', dy, saved, attrs);
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g = dy as tf.Tensor4D;
      return {
        x: () => conv2dInputGrad(x.shape, g, filter, a.strides, a.pad, a.dimRoundingMode),
        filter: () => conv2dFilterGrad(x, g, filter.shape, a.strides, a.pad, a.dimRoundingMode),
      };
    },
  };
}

/**
 * tf.conv2dTranspose(x, W) is Conv2DBackpropInput with inputs {dy: x, filter: W}: its output is the
 * conv2d input gradient for x as "dy". So d/dx is a forward conv2d of the upstream gradient and d/dW
 * is the conv2d filter gradient with the upstream gradient in the role of the conv input.
 */
function conv2dTransposeConfig(stock: tf.GradConfig | undefined): OwnGradConfig {
  return {
    kernelName: 'Conv2DBackpropInput',
    inputsToSave: ['dy', 'filter'],
    alenStock: stock,
    gradFunc: (ddx, saved, attrs) => {
      const a = attrs as unknown as ConvAttrs;
      if (!useForwardOps(a)) return delegate(stock, 'Conv2DBackpropInput', ddx, saved, attrs);
      const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g = ddx as tf.Tensor4D;
      return {
        dy: () => tf.conv2d(g, filter, a.strides, a.pad, 'NHWC', 1, a.dimRoundingMode),
        filter: () => conv2dFilterGrad(g, dy, filter.shape as Shape4, a.strides, a.pad, a.dimRoundingMode),
      };
    },
  };
}

/**
 * Registers both gradients and the wasm kernels; idempotent (re-registering keeps the original stock
 * gradient to delegate to). Loads the wasm backend package if it is not loaded yet.
 */
export function registerConvGradients(): void {
  registerWasmConvKernels();
  const conv = tf.getGradient('Conv2D') as OwnGradConfig | undefined;
  if (!conv || !('alenStock' in conv)) tf.registerGradient(conv2dConfig(stockOf('Conv2D')));
  const tconv = tf.getGradient('Conv2DBackpropInput') as OwnGradConfig | undefined;
  if (!tconv || !('alenStock' in tconv)) tf.registerGradient(conv2dTransposeConfig(stockOf('Conv2DBackpropInput')));
}
