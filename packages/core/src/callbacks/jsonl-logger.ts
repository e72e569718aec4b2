import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Callback } from './callback.js';

/** Appends one JSON object per event to a file (`log.jsonl` in the run folder). */
export function jsonlLogger(file: string): Callback {
  const write = (obj: Record<string, unknown>) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, JSON.stringify({ time: new Date().toISOString(), ...obj }) + '\n');
  };
  return {
    onTrainStart: (info) => write({ event: 'start', ...info }),
    onEpochEnd: (rec) => write({ event: 'epoch', ...rec }),
    onTrainEnd: (r) =>
      write({
        event: 'end',
        bestEpoch: r.best?.epoch,
        bestVal: r.best?.metrics,
        testSteps: r.model.hp.testSteps,
        trainSeconds: r.trainSeconds,
        stepsPerSecond: r.stepsPerSecond,
        interrupted: r.interrupted,
        stoppedEarlyAt: r.stoppedEarlyAt,
      }),
  };
}
