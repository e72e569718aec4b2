import { AlenError } from '../errors.js';

/**
 * Maps `fn` over `items` with at most `limit` calls in flight; results keep the input order.
 * Stops at the first error: no new call starts and the promise rejects with that error
 * (calls already in flight run to their end).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!(limit >= 1)) throw new AlenError('BAD_CONFIG', `mapLimit: limit must be ≥ 1, got ${limit}`);
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(Math.floor(limit), items.length)) }, worker));
  return out;
}
