import { AlenError, knownHyperParams, type HyperParamOverrides } from '@alen/core';

/** Parses a value from the command line: JSON when it parses (numbers, booleans, arrays), else a string. */
export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** `key=value` pairs: hyper-parameter names, or `arch.NAME` for architecture options. */
export function parseSets(pairs: readonly string[]): HyperParamOverrides {
  const out: Record<string, unknown> = {};
  const arch: Record<string, number | string | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new AlenError('BAD_CONFIG', `--set expects key=value, got '${pair}'`);
    const key = pair.slice(0, eq).trim();
    const value = parseValue(pair.slice(eq + 1).trim());
    if (key.startsWith('arch.')) {
      arch[key.slice(5)] = value as number | string | boolean;
    } else {
      const known = knownHyperParams();
      if (!known.includes(key)) {
        throw new AlenError('BAD_CONFIG', `unknown hyper-parameter '${key}'. Known: ${known.join(', ')}, or arch.NAME`);
      }
      out[key] = value;
    }
  }
  if (Object.keys(arch).length) out.arch = arch;
  return out as HyperParamOverrides;
}

/** `key=value` pairs into a plain string map (task options). */
export function parseOptions(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new AlenError('BAD_CONFIG', `--opt expects key=value, got '${pair}'`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** Merges overrides, later wins (arch merged key by key). */
export function mergeOverrides(...list: Array<HyperParamOverrides | undefined>): HyperParamOverrides {
  const out: HyperParamOverrides = {};
  for (const o of list) {
    if (!o) continue;
    for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== 'arch') (out as Record<string, unknown>)[k] = v;
    if (o.arch) out.arch = { ...(out.arch ?? {}), ...o.arch };
  }
  return out;
}
