import * as fs from 'node:fs';
import * as path from 'node:path';
import { AlenError, FINAL_MODEL, CHECKPOINT_BEST, MODEL_FILE, loadCheckpoint } from '@alen/core';
import { CONFIG_FILE } from './experiment.js';

/**
 * A `--checkpoint` argument may name a model folder (holding model.json) or a run folder
 * (its final model, else its best checkpoint). Returns the model folder and the run's config.
 */
export function resolveCheckpoint(arg: string): { modelDir: string; config?: Record<string, unknown> } {
  const dir = path.resolve(arg);
  if (!fs.existsSync(dir)) throw new AlenError('BAD_CHECKPOINT', `checkpoint ${arg}: no such folder`);
  let modelDir = dir;
  if (!fs.existsSync(path.join(dir, MODEL_FILE))) {
    const cands = [path.join(dir, FINAL_MODEL), path.join(dir, CHECKPOINT_BEST)];
    const found = cands.find((c) => fs.existsSync(c));
    if (!found) {
      throw new AlenError('BAD_CHECKPOINT', `checkpoint ${arg}: missing ${MODEL_FILE} (and no ${FINAL_MODEL}/ or ${CHECKPOINT_BEST}/ inside, so it is not a run folder either)`);
    }
    modelDir = found;
  }
  let config: Record<string, unknown> | undefined;
  for (const c of [path.join(modelDir, '..', CONFIG_FILE), path.join(modelDir, '..', '..', CONFIG_FILE)]) {
    if (fs.existsSync(c)) {
      try {
        config = JSON.parse(fs.readFileSync(c, 'utf8'));
      } catch {
        /* a damaged config only loses defaults */
      }
      break;
    }
  }
  return { modelDir, config };
}

/** The `--plugin` values of a run's recorded command line (as `quoteArgs` wrote it). */
export function pluginsOfCommand(command: unknown): string[] {
  if (typeof command !== 'string') return [];
  const words = [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!));
  const out: string[] = [];
  words.forEach((w, i) => {
    if (w === '--plugin' && words[i + 1]) out.push(words[i + 1]!);
    else if (w.startsWith('--plugin=')) out.push(w.slice('--plugin='.length));
  });
  return out;
}

/**
 * Loads a `--checkpoint` argument's model; when its task is not registered and the run was trained
 * with `--plugin`, the error says which plugin to pass again.
 */
export async function loadRunCheckpoint(arg: string): Promise<{ loaded: Awaited<ReturnType<typeof loadCheckpoint>>; modelDir: string; config?: Record<string, unknown> }> {
  const { modelDir, config } = resolveCheckpoint(arg);
  try {
    return { loaded: await loadCheckpoint(modelDir), modelDir, config };
  } catch (e) {
    const plugins = pluginsOfCommand(config?.command);
    if (e instanceof AlenError && e.code === 'UNKNOWN_TASK' && plugins.length) {
      throw new AlenError('UNKNOWN_TASK', `${e.message}. The run was trained with ${plugins.map((p) => `--plugin ${p}`).join(' ')}: pass it again`);
    }
    throw e;
  }
}
