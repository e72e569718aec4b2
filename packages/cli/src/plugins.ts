import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { AlenError, listTasks, registerTask, type Task } from '@alen/core';

/** package.json marker of an installed task plugin: `"alen": { "plugin": true }`. */
export interface PluginManifest {
  readonly name: string;
  readonly dir: string;
}

function nodeModulesDirs(start: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(start);
  for (;;) {
    const nm = path.join(dir, 'node_modules');
    if (fs.existsSync(nm)) out.push(nm);
    const parent = path.dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

function readPluginManifest(dir: string): PluginManifest | null {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return pkg?.alen?.plugin === true ? { name: pkg.name, dir: fs.realpathSync(dir) } : null;
  } catch {
    return null;
  }
}

/** Installed packages that declare themselves alen task plugins, looked up from `from` and from the CLI itself. */
export function discoverPlugins(from = process.cwd()): PluginManifest[] {
  const seen = new Map<string, PluginManifest>();
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const nm of [...nodeModulesDirs(from), ...nodeModulesDirs(here)]) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(nm);
    } catch {
      continue;
    }
    for (const e of entries) {
      const dirs = e.startsWith('@') ? safeList(path.join(nm, e)).map((s) => path.join(nm, e, s)) : [path.join(nm, e)];
      for (const d of dirs) {
        const m = readPluginManifest(d);
        if (m && !seen.has(m.name)) seen.set(m.name, m);
      }
    }
  }
  return [...seen.values()];
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Tasks a plugin module exposes: its `tasks` export (or a default export's `tasks`) when it has one,
 * else every export that looks like a task (an object with a string `name` and a `load` hook). A
 * candidate with a problem is registered anyway, so that registerTask names the problem.
 */
function tasksOf(mod: Record<string, unknown>): Task[] {
  const def = mod.default as Record<string, unknown> | undefined;
  const listed = mod.tasks ?? (def && typeof def === 'object' ? def.tasks : undefined);
  const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
  if (listed !== undefined) return asList(listed) as Task[];
  const looksLikeTask = (c: unknown) =>
    c !== null && typeof c === 'object' && typeof (c as Task).name === 'string' && typeof (c as Task).load === 'function';
  const cands = [...(def && typeof def === 'object' ? [def] : []), ...Object.values(mod)];
  return [...new Set(cands.filter(looksLikeTask))] as Task[];
}

/** A package folder's ESM entry when it has one (so plugins share the CLI's ESM copy of core). */
function packageEntry(dir: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const dot = pkg.exports?.['.'] ?? pkg.exports;
  const rel = (typeof dot === 'string' ? dot : dot?.import ?? dot?.default) ?? pkg.module ?? pkg.main ?? 'index.js';
  return path.join(dir, rel);
}

function resolveSpec(spec: string, base: string): string {
  const p = path.resolve(base, spec);
  if (spec.startsWith('.') || path.isAbsolute(spec) || fs.existsSync(p)) {
    if (!fs.existsSync(p)) throw new AlenError('BAD_PLUGIN', `plugin '${spec}': no such file or folder (${p})`);
    return fs.statSync(p).isDirectory() ? (fs.existsSync(path.join(p, 'package.json')) ? packageEntry(p) : path.join(p, 'index.js')) : p;
  }
  const req = createRequire(path.join(base, 'noop.js'));
  try {
    return packageEntry(path.dirname(req.resolve(`${spec}/package.json`)));
  } catch {
    try {
      return req.resolve(spec);
    } catch {
      throw new AlenError('BAD_PLUGIN', `plugin '${spec}' cannot be found from ${base} (install it, or pass a path)`);
    }
  }
}

/** Where in a plugin's own file an import-time error was thrown (file:line:column), when its stack says so. */
function whereIn(e: unknown, file: string): string | undefined {
  const stack = (e as Error)?.stack ?? '';
  const url = pathToFileURL(file).href;
  for (const line of stack.split('\n')) {
    const m = /((?:file:\/\/)?\/[^\s()]+):(\d+):(\d+)/.exec(line);
    if (m && (m[1] === url || m[1] === file)) return `${file}:${m[2]}:${m[3]}`;
  }
  // A syntax error's location heads its stack ("file:///…/x.mjs:12").
  const head = /^((?:file:\/\/)?\/[^\s:]+):(\d+)/.exec(stack);
  return head && (head[1] === url || head[1] === file) ? `${file}:${head[2]}` : undefined;
}

async function importFrom(spec: string, base: string): Promise<{ mod: Record<string, unknown>; file: string }> {
  const file = resolveSpec(spec, base);
  try {
    return { mod: (await import(pathToFileURL(file).href)) as Record<string, unknown>, file };
  } catch (e) {
    const where = whereIn(e, file);
    const from = path.resolve(base, spec) === file ? '' : ` from ${file}`;
    const what = e instanceof Error ? `${e.name === 'Error' || e.name === 'AlenError' ? '' : `${e.name}: `}${e.message}` : String(e);
    throw new AlenError('BAD_PLUGIN', `plugin '${spec}' failed to load${from}: ${what}${where ? ` (at ${where})` : ''}`);
  }
}

/** Imports a plugin module and registers its tasks; a module that yields no task is an error. */
export async function loadPlugin(spec: string, base = process.cwd(), label = spec): Promise<Task[]> {
  const before = new Set(listTasks().map((t) => t.name));
  const { mod } = await importFrom(spec, base);
  const exported = tasksOf(mod);
  for (const t of exported) registerTask(t, label);
  const added = listTasks().filter((t) => !before.has(t.name));
  const all = [...new Set([...exported, ...added])];
  if (!all.length) {
    throw new AlenError('BAD_PLUGIN', `plugin module '${spec}' does not export a task (export 'tasks: Task[]' made with defineTask, or call registerTask on import)`);
  }
  return all;
}

/** Loads every installed plugin (a broken one is reported, not fatal) and the explicit `--plugin` modules (fatal). */
export async function loadPlugins(explicit: readonly string[] = [], warn: (m: string) => void = () => {}): Promise<void> {
  for (const p of discoverPlugins()) {
    try {
      await loadPlugin(p.dir, process.cwd(), p.name);
    } catch (e) {
      warn(`installed plugin ${p.name} skipped: ${(e as Error).message}`);
    }
  }
  for (const spec of explicit) await loadPlugin(spec);
}
