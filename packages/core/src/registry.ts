import type { Task } from './types.js';
import { AlenError } from './errors.js';

/**
 * The task-plugin registry, in the spirit of TensorFlow.js's kernel registry. It lives on
 * `globalThis` so that an ESM and a CJS copy of core (or two installs of it) share one table.
 */
const KEY = Symbol.for('@alen/core/task-registry');
type Registry = Map<string, Task>;

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (g[KEY] ??= new Map());
}

const REQUIRED: ReadonlyArray<keyof Task> = [
  'name', 'description', 'outputSpace', 'oracle', 'primaryMetric', 'load', 'evaluate', 'createEnergy', 'createInference',
];

/** Returns what is wrong with a candidate task object, or null when it is a usable task. */
export function taskProblems(t: unknown): string | null {
  if (t === null || typeof t !== 'object') return 'not an object';
  const missing = REQUIRED.filter((k) => (t as Record<string, unknown>)[k] === undefined);
  if (missing.length) return `missing ${missing.join(', ')}`;
  const name = (t as Task).name;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    return `name '${String(name)}' must be lower-case letters, digits, '.', '_' or '-'`;
  }
  return null;
}

/** Typed identity for writing a task plugin as a plain object (like Vite's `defineConfig`). */
export function defineTask<T extends Task>(task: T): T {
  const problem = taskProblems(task);
  if (problem) throw new AlenError('BAD_TASK', `defineTask: ${problem}`);
  return task;
}

/** Registers a task. Registering the same object twice is a no-op; another task under a taken name is an error. */
export function registerTask(task: Task): void {
  const problem = taskProblems(task);
  if (problem) throw new AlenError('BAD_TASK', `registerTask: ${problem}`);
  const reg = registry();
  const existing = reg.get(task.name);
  if (existing && existing !== task) {
    throw new AlenError('BAD_TASK', `task '${task.name}' is already registered by another plugin`);
  }
  reg.set(task.name, task);
}

export function unregisterTask(name: string): boolean {
  return registry().delete(name);
}

export function getTask(name: string): Task {
  const t = registry().get(name);
  if (!t) {
    const known = listTasks().map((k) => k.name);
    throw new AlenError(
      'UNKNOWN_TASK',
      `unknown task '${name}'. Registered tasks: ${known.length ? known.join(', ') : '(none: install a task plugin such as @alen/multilabel, or pass --plugin)'}`,
    );
  }
  return t;
}

export function hasTask(name: string): boolean {
  return registry().has(name);
}

export function listTasks(): Task[] {
  return [...registry().values()].sort((a, b) => a.name.localeCompare(b.name));
}
