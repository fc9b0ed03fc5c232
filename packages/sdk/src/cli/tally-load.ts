#!/usr/bin/env node
import { lostEvents, type LoadCounters } from './load-counters.js';
import { parseLoadOptions, USAGE, type LoadOptions } from './load-options.js';
import { runLoad } from './load-run.js';
import { progressLine, summaryLines } from './progress-line.js';

function parseOrExit(): LoadOptions {
  try {
    return parseLoadOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`tally-load: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const opts = parseOrExit();
  const interactive = process.stderr.isTTY;
  let lastAcked = 0;
  let lastAt = 0;
  let lastPrinted = 0;
  const progress = (counters: LoadCounters, queued: number, elapsedS: number) => {
    const rate = elapsedS > lastAt ? (counters.acknowledged - lastAcked) / (elapsedS - lastAt) : 0;
    lastAcked = counters.acknowledged;
    lastAt = elapsedS;
    const line = progressLine(counters, queued, rate, elapsedS);
    if (interactive) {
      process.stderr.write(`\r\u001b[2K${line}`);
    } else if (elapsedS - lastPrinted >= 5) {
      // NOTE: without a terminal (CI logs) a line every 5 s instead of a redrawn one.
      lastPrinted = elapsedS;
      process.stderr.write(`${line}\n`);
    }
  };
  const stopSignal = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  console.error(
    `tally-load: ${opts.rate} ev/s for ${opts.durationSeconds} s of ${opts.types.join(',')} ` +
      `from ${opts.users} users to ${opts.endpoint}`,
  );
  const started = performance.now();
  const counters = await runLoad(opts, { progress, everyMs: 250, stopSignal });
  const elapsedS = (performance.now() - started) / 1000;
  if (interactive) process.stderr.write('\n');
  const lost = lostEvents(counters);
  for (const line of summaryLines(counters, lost, elapsedS)) console.log(line);
  return lost === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
