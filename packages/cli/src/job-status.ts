import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE, REFIT_DIR } from './experiment.js';

/** How much of the end of log.jsonl is read for a status line: a few epochs' events. */
const TAIL_BYTES = 16 * 1024;

interface EpochEvent {
  event?: string;
  epoch?: number;
  epochSeconds?: number;
  val?: Record<string, number>;
  isBest?: boolean;
}

function tail(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function configHp(out: string, key: 'epochs' | 'patience'): number | undefined {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(out, CONFIG_FILE), 'utf8')) as { hp?: Record<string, unknown> };
    const v = config.hp?.[key];
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

const plannedEpochs = (out: string) => configHp(out, 'epochs');

function duration(seconds: number): string {
  const m = Math.round(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * One line on a running `alen train` job from its run folder: the last epoch logged, the last
 * validation metrics and the time left at the pace of the last (up to 20) epochs; undefined before its first epoch.
 * With early stopping (`patience`) the time left is a bound: the run ends sooner unless validation keeps improving.
 * `epochs` is the count the job trains (the config may be an older one's when a run resumes).
 */
export function jobStatus(out: string, metric: string, epochs = plannedEpochs(out)): string | undefined {
  // Once a refit (`--refit`) has started, its progress is the job's.
  const refit = path.join(out, REFIT_DIR);
  const refitLine = fs.existsSync(path.join(refit, 'log.jsonl')) ? runStatus(refit, metric, plannedEpochs(refit)) : undefined;
  return refitLine ? `refit on train + validation: ${refitLine}` : runStatus(out, metric, epochs);
}

function runStatus(out: string, metric: string, epochs: number | undefined): string | undefined {
  const file = path.join(out, 'log.jsonl');
  if (!fs.existsSync(file)) return undefined;
  const events = tail(file)
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as EpochEvent];
      } catch {
        return []; // the first line of the tail may be cut, the last one half-written
      }
    })
    .filter((e) => e.event === 'epoch' && typeof e.epoch === 'number');
  const last = events[events.length - 1];
  if (!last) return undefined;
  const parts = [`epoch ${last.epoch}${epochs ? `/${epochs}` : ''}`];
  const val = [...events].reverse().find((e) => e.val?.[metric] !== undefined);
  if (val) parts.push(`val ${metric} ${val.val![metric]!.toFixed(2)} at epoch ${val.epoch}`);
  const paces = events.slice(-20).flatMap((e) => (typeof e.epochSeconds === 'number' ? [e.epochSeconds] : []));
  const patience = configHp(out, 'patience') ?? 0;
  const lastBest = patience > 0 ? [...events].reverse().find((e) => e.isBest) : undefined;
  const end = epochs && lastBest ? Math.min(epochs, lastBest.epoch! + patience) : epochs;
  if (end && paces.length && end > last.epoch!) {
    const pace = paces.reduce((a, b) => a + b, 0) / paces.length;
    parts.push(`~${duration((end - last.epoch!) * pace)} left${patience > 0 ? ' at most (early stopping)' : ''}`);
  }
  return parts.join(', ');
}
