import cliProgress from 'cli-progress';
import type { Callback, EpochRecord } from '@alen/core';

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4));

function epochLine(rec: EpochRecord, epochs: number, primary: string): string {
  const losses = Object.entries(rec.losses).map(([k, v]) => `${k} ${fmt(v)}`).join('  ');
  const val = rec.val ? `  val ${primary} ${rec.val[primary]!.toFixed(2)}${rec.isBest ? ' (best)' : ''}` : '';
  return `epoch ${rec.epoch}/${epochs}  ${losses}${val}  ${rec.epochSeconds.toFixed(1)} s  ${rec.stepsPerSecond.toFixed(1)} steps/s`;
}

/**
 * Progress of a training run: a live bar (epoch, step, loss, last validation metric) on a
 * terminal, one line per epoch otherwise (logs, CI).
 */
export function progressCallback(primary: string, out: NodeJS.WriteStream = process.stderr): Callback {
  const tty = !!out.isTTY;
  let bar: cliProgress.SingleBar | null = null;
  let epochs = 0;
  let lastVal = '–';
  return {
    onTrainStart(info) {
      epochs = info.hp.epochs;
      out.write(`training ${info.task} with ${info.method} on ${info.backend}: ${info.trainSize} examples, ${info.stepsPerEpoch} steps/epoch, ${epochs} epochs${info.startEpoch ? `, resuming after epoch ${info.startEpoch}` : ''}\n`);
      if (tty) {
        bar = new cliProgress.SingleBar(
          {
            format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} steps | loss {loss} | val ' + primary + ' {val} | eta {eta_formatted}',
            stream: out,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
      }
    },
    onBatchEnd(b) {
      if (!bar) return;
      const main = b.losses.lossG ?? b.losses.lossV ?? Object.values(b.losses)[0] ?? NaN;
      if (b.step === 1) bar.start(b.stepsPerEpoch, 0, { epoch: b.epoch, epochs, loss: fmt(main), val: lastVal });
      bar.update(b.step, { loss: fmt(main) });
    },
    onEpochEnd(rec) {
      if (rec.val) lastVal = rec.val[primary]!.toFixed(2);
      if (bar) {
        bar.stop();
      }
      out.write(epochLine(rec, epochs, primary) + '\n');
    },
    onTrainEnd() {
      bar?.stop();
    },
  };
}
