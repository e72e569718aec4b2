/** A GitHub-flavoured markdown table. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

export function meanStd(xs: readonly number[], digits = 2): string {
  if (!xs.length) return '–';
  return xs.length === 1 ? xs[0]!.toFixed(digits) : `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`;
}

/** A rate for a table: whole numbers from 10 up, two significant digits below (0.10 ex/s is not 0). */
export function formatRate(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x) || x <= 0) return '–';
  return x >= 10 ? x.toFixed(0) : x.toPrecision(2);
}
