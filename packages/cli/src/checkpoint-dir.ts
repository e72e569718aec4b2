import * as fs from 'node:fs';
import * as path from 'node:path';
import { AlenError, FINAL_MODEL, CHECKPOINT_BEST, MODEL_FILE } from '@alen/core';
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
