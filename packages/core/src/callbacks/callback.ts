import type { HyperParams, MethodName } from '../types.js';
import type { Metrics } from '../evaluate.js';
import type { TrainResult } from '../trainer.js';

export interface TrainStartInfo {
  readonly task: string;
  readonly method: MethodName;
  readonly hp: HyperParams;
  readonly seed: number;
  readonly backend: string;
  readonly startEpoch: number;
  readonly stepsPerEpoch: number;
  readonly trainSize: number;
  readonly runDir?: string;
}

export interface BatchInfo {
  readonly epoch: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly losses: Readonly<Record<string, number>>;
}

/** One line of the training log. */
export interface EpochRecord {
  readonly epoch: number;
  readonly lrMultiplier: number;
  /** Mean of each loss over the epoch's batches. */
  readonly losses: Readonly<Record<string, number>>;
  readonly val?: Metrics;
  readonly isBest: boolean;
  readonly epochSeconds: number;
  readonly stepsPerSecond: number;
  /** Tensors alive after the epoch: flat across epochs when nothing leaks. */
  readonly numTensors: number;
}

/**
 * Hooks around the trainer's loop (progress bars, logs, early stopping). Every hook is optional
 * and may be async.
 */
export interface Callback {
  onTrainStart?(info: TrainStartInfo): void | Promise<void>;
  onBatchEnd?(info: BatchInfo): void | Promise<void>;
  onEpochEnd?(rec: EpochRecord): void | Promise<void>;
  onTrainEnd?(result: TrainResult): void | Promise<void>;
}
