import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { AlenError, listTasks, registerTask, taskProblems, type Task } from '@alen/core';

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

/** Tasks a plugin module exposes: `tasks` (array), a default export with `tasks`, or task objects among its exports. */
function tasksOf(mod: Record<string, unknown>): Task[] {
  const cands: unknown[] = [];
  const push = (v: unknown) => (Array.isArray(v) ? cands.push(...v) : cands.push(v));
  if (mod.tasks) push(mod.tasks);
  const def = mod.default as Record<string, unknown> | undefined;
  if (def && typeof def === 'object') push(def.tasks ?? def);
  for (const v of Object.values(mod)) push(v);
  return cands.filter((c): c is Task => taskProblems(c) === null);
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

async function importFrom(spec: string, base: string): Promise<Record<string, unknown>> {
  const file = resolveSpec(spec, base);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new AlenError('BAD_PLUGIN', `plugin '${spec}' failed to load from ${file}: ${(e as Error).message}`);
  }
}

/** Imports a plugin module and registers its tasks; a module that yields no task is an error. */
export async function loadPlugin(spec: string, base = process.cwd()): Promise<Task[]> {
  const before = new Set(listTasks().map((t) => t.name));
  const mod = await importFrom(spec, base);
  const exported = tasksOf(mod);
  for (const t of exported) registerTask(t);
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
      await loadPlugin(p.dir);
    } catch (e) {
      warn(`installed plugin ${p.name} skipped: ${(e as Error).message}`);
    }
  }
  for (const spec of explicit) await loadPlugin(spec);
}
