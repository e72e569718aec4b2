// The repository root and `--name value` flags, shared by the speed tools.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);

/** The value after `--name`, or `dflt`. */
export function flag(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}

/** Whether `--name` is present. */
export const has = (name) => args.includes(name);

/** Arguments that are neither flags nor the values of the flags in `valued`. */
export function positional(valued) {
  return args.filter((a, i) => !a.startsWith('--') && !valued.includes(args[i - 1]));
}
