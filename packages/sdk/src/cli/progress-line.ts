import type { LoadCounters } from './load-counters.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** One status line: totals so far and the acknowledgement rate since the previous line. */
export function progressLine(
  c: LoadCounters,
  queued: number,
  ackRate: number,
  elapsedS: number,
): string {
  return (
    `${elapsedS.toFixed(1)}s  tracked ${fmt(c.tracked)} · acked ${fmt(c.acknowledged)} · ` +
    `rejected ${fmt(c.rejected)} · retries ${fmt(c.retries)} · queued ${fmt(queued)} · ` +
    `${fmt(ackRate)} ev/s`
  );
}

export function summaryLines(c: LoadCounters, lost: number, elapsedS: number): string[] {
  const lines = [
    `tracked      ${fmt(c.tracked)} in ${elapsedS.toFixed(1)} s`,
    `acknowledged ${fmt(c.acknowledged)} (${fmt(c.acknowledged / Math.max(elapsedS, 0.001))} ev/s)`,
    `rejected     ${fmt(c.rejected)}`,
    `dropped      ${fmt(c.dropped)} (queue full)`,
    `failed       ${fmt(c.failed)} (refused or given up)`,
    `retries      ${fmt(c.retries)}`,
    lost === 0 ? 'lost         0' : `LOST         ${fmt(lost)}`,
  ];
  for (const [kind, message] of c.firstErrors) lines.push(`first ${kind}: ${message}`);
  return lines;
}
