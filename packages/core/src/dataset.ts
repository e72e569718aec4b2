import { tf } from './tf.js';
import type { Batch, Dataset, Split, TaskData } from './types.js';
import { AlenError } from './errors.js';

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Checks that a split's arrays match its declared size and shapes, and hold finite numbers. */
export function checkDataset(d: Dataset): void {
  const nx = prod(d.xShape);
  const ny = prod(d.yShape);
  if (d.size < 1) throw new AlenError('BAD_DATA', `${d.name}: the split is empty`);
  for (const [what, arr] of [['x', d.x], ['y', d.y]] as const) {
    if (!(arr instanceof Float32Array)) {
      const got = arr === null || arr === undefined ? String(arr) : (arr as object).constructor?.name ?? typeof arr;
      throw new AlenError('BAD_DATA', `${d.name}: ${what} must be a Float32Array (examples one after another, row-major), got ${got}`);
    }
  }
  if (d.x.length !== d.size * nx) {
    throw new AlenError('SHAPE_MISMATCH', `${d.name}: x holds ${d.x.length} values, expected ${d.size} × [${d.xShape}] = ${d.size * nx}`);
  }
  if (d.y.length !== d.size * ny) {
    throw new AlenError('SHAPE_MISMATCH', `${d.name}: y holds ${d.y.length} values, expected ${d.size} × [${d.yShape}] = ${d.size * ny}`);
  }
  for (const [what, arr, per] of [['x', d.x, nx], ['y', d.y, ny]] as const) {
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i]!)) {
        throw new AlenError('BAD_DATA', `${d.name}: ${what} of example ${Math.floor(i / per)}${d.ids ? ` (${d.ids[Math.floor(i / per)]})` : ''} is not a finite number (${arr[i]})`);
      }
    }
  }
}

export function checkTaskData(data: TaskData): void {
  for (const s of ['train', 'val', 'test'] as const) checkDataset(data[s]);
  const a = data.train;
  for (const s of ['val', 'test'] as const) {
    const b = data[s];
    if (a.xShape.join('x') !== b.xShape.join('x') || a.yShape.join('x') !== b.yShape.join('x')) {
      throw new AlenError('SHAPE_MISMATCH', `${b.name}: shapes x [${b.xShape}] y [${b.yShape}] differ from ${a.name}'s x [${a.xShape}] y [${a.yShape}]`);
    }
  }
}

/** The first `n` examples of a split (a view on the same memory). */
export function takeFirst(d: Dataset, n: number | undefined): Dataset {
  if (n === undefined || n >= d.size) return d;
  const nx = prod(d.xShape);
  const ny = prod(d.yShape);
  return {
    ...d,
    size: n,
    x: d.x.subarray(0, n * nx),
    y: d.y.subarray(0, n * ny),
    ids: d.ids?.slice(0, n),
  };
}

export function limitTaskData(data: TaskData, limit?: Partial<Record<Split, number>>): TaskData {
  if (!limit) return data;
  return { train: takeFirst(data.train, limit.train), val: takeFirst(data.val, limit.val), test: takeFirst(data.test, limit.test) };
}

function gather(src: Float32Array, per: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * per);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    out.set(src.subarray(j * per, (j + 1) * per), i * per);
  }
  return out;
}

/** The examples at `idx` as tensors. */
export function batchOf(d: Dataset, idx: ArrayLike<number>): Batch {
  return {
    x: tf.tensor(gather(d.x, prod(d.xShape), idx), [idx.length, ...d.xShape]),
    y: tf.tensor(gather(d.y, prod(d.yShape), idx), [idx.length, ...d.yShape]),
  };
}

/** Inputs of examples [start, end) as a tensor. */
export function inputsOf(d: Dataset, start: number, end: number): tf.Tensor {
  const per = prod(d.xShape);
  return tf.tensor(d.x.subarray(start * per, end * per), [end - start, ...d.xShape]);
}

export { prod as sizeOfShape };

/**
 * The examples of several splits as one (a refit on train + validation). Per-example metadata
 * cannot be joined, so only the first split's `meta.taskState` (its normalization) is kept.
 */
export function concatDatasets(name: string, parts: readonly Dataset[]): Dataset {
  const [first] = parts;
  if (!first) throw new AlenError('BAD_DATA', `${name}: nothing to join`);
  for (const d of parts) {
    if (d.xShape.join('x') !== first.xShape.join('x') || d.yShape.join('x') !== first.yShape.join('x')) {
      throw new AlenError('SHAPE_MISMATCH', `${name}: ${d.name} has x [${d.xShape}] y [${d.yShape}], ${first.name} x [${first.xShape}] y [${first.yShape}]`);
    }
  }
  const join = (arrays: Float32Array[]) => {
    const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) out.set(a, at), (at += a.length);
    return out;
  };
  const taskState = first.meta?.taskState;
  return {
    name,
    size: parts.reduce((n, d) => n + d.size, 0),
    x: join(parts.map((d) => d.x)),
    xShape: first.xShape,
    y: join(parts.map((d) => d.y)),
    yShape: first.yShape,
    ids: parts.every((d) => d.ids) ? parts.flatMap((d) => d.ids!) : undefined,
    ...(taskState !== undefined ? { meta: { taskState } } : {}),
  };
}
