import type { Task } from './types.js';
import { AlenError } from './errors.js';
import { METHODS, knownHyperParams } from './hyperparams.js';

/**
 * The task-plugin registry, in the spirit of TensorFlow.js's kernel registry. It lives on
 * `globalThis` so that an ESM and a CJS copy of core (or two installs of it) share one table.
 */
const KEY = Symbol.for('@alen/core/task-registry@2');
interface Entry {
  readonly task: Task;
  readonly source?: string;
}
type Registry = Map<string, Entry>;

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (g[KEY] ??= new Map());
}

const REQUIRED: ReadonlyArray<keyof Task> = [
  'name', 'description', 'outputSpace', 'oracle', 'primaryMetric', 'load', 'evaluate', 'createEnergy', 'createInference',
];

/** Every key a task may have; the compile-time check below keeps it in step with the Task interface. */
const TASK_KEYS = [
  'name', 'description', 'outputSpace', 'oracle', 'oracleMap', 'primaryMetric', 'expectedFiles', 'load', 'evaluate',
  'evaluateTuned', 'createEnergy', 'createInference', 'defaults', 'outputShape', 'augment', 'testViews', 'readInput',
  'writeOutput', 'bench', 'paper',
] as const satisfies ReadonlyArray<keyof Task>;
const everyTaskKeyListed: Exclude<keyof Task, (typeof TASK_KEYS)[number]> extends never ? true : never = true;
void everyTaskKeyListed;

/** What is wrong with a task's `defaults` (a misspelled method or hyper-parameter), or null. */
function defaultsProblems(defaults: unknown): string | null {
  if (defaults === undefined) return null;
  if (defaults === null || typeof defaults !== 'object') return 'defaults must be an object keyed by method name or common';
  const layers = ['common', ...METHODS];
  const known = new Set([...knownHyperParams(), 'arch']);
  for (const [layer, values] of Object.entries(defaults)) {
    if (!layers.includes(layer)) return `defaults.${layer}: not a method; the keys are ${layers.join(', ')}`;
    const wrong = Object.keys(values ?? {}).filter((k) => !known.has(k));
    if (wrong.length) return `defaults.${layer}: unknown hyper-parameter${wrong.length > 1 ? 's' : ''} ${wrong.join(', ')} (see alen params)`;
  }
  return null;
}

/** Returns what is wrong with a candidate task object, or null when it is a usable task. */
export function taskProblems(t: unknown): string | null {
  if (t === null || typeof t !== 'object') return 'not an object';
  const missing = REQUIRED.filter((k) => (t as Record<string, unknown>)[k] === undefined);
  if (missing.length) return `missing ${missing.join(', ')}`;
  const name = (t as Task).name;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    return `name '${String(name)}' must be lower-case letters, digits, '.', '_' or '-'`;
  }
  const unknown = Object.keys(t).filter((k) => !(TASK_KEYS as readonly string[]).includes(k));
  if (unknown.length) {
    return `task '${name}': unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (a misspelled hook?); a task's keys are ${TASK_KEYS.join(', ')}`;
  }
  const bad = defaultsProblems((t as Task).defaults);
  return bad && `task '${name}': ${bad}`;
}

/** Typed identity for writing a task plugin as a plain object (like Vite's `defineConfig`). */
export function defineTask<T extends Task>(task: T): T {
  const problem = taskProblems(task);
  if (problem) throw new AlenError('BAD_TASK', `defineTask: ${problem}`);
  return task;
}

/**
 * Registers a task; `source` (a plugin's package name or path) is named if another task claims the
 * name. Registering the same object twice is a no-op; another task under a taken name is an error.
 */
export function registerTask(task: Task, source?: string): void {
  const problem = taskProblems(task);
  if (problem) throw new AlenError('BAD_TASK', `registerTask${source ? ` (${source})` : ''}: ${problem}`);
  const reg = registry();
  const existing = reg.get(task.name);
  if (existing && existing.task !== task) {
    const holder = existing.source ?? 'another plugin';
    throw new AlenError('BAD_TASK', `task '${task.name}'${source ? ` of ${source}` : ''} is already registered by ${holder}: give one of them another name`);
  }
  if (!existing?.source) reg.set(task.name, { task, source: source ?? existing?.source });
}

export function unregisterTask(name: string): boolean {
  return registry().delete(name);
}

export function getTask(name: string): Task {
  const t = registry().get(name)?.task;
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
  return [...registry().values()].map((e) => e.task).sort((a, b) => a.name.localeCompare(b.name));
}
