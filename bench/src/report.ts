import type { BaselineResult } from './baseline.js';
import type { FreshnessSummary } from './freshness.js';
import type { LatencySummary } from './load.js';
import type { BenchOptions } from './options.js';
import type { MachineInfo } from './proc-stats.js';
import type { ProfileSummary } from './profile-summary.js';
import type { DbTime } from './db-time.js';
import type { QueryResult } from './query-bench.js';

export interface PhaseResult {
  durationS: number;
  requests: number;
  accepted: number;
  failures: Record<string, number>;
  ackEventsPerS: number;
  latency: LatencySummary;
  freshness: FreshnessSummary;
}

export interface PeakResult extends PhaseResult {
  /** From the start of the load until the aggregator had committed the last event. */
  drainS: number;
  e2eEventsPerS: number;
}

export interface HalfResult extends PhaseResult {
  targetEventsPerS: number;
}

export interface CpuRow {
  process: string;
  cpuSeconds: number;
  perMillion: number;
  peakRssMiB: number;
}

export interface BenchResults {
  startedAt: string;
  command: string;
  machine: MachineInfo & { natsServer: string; postgres: string };
  options: BenchOptions;
  stack: string[];
  peak: PeakResult;
  half: HalfResult | undefined;
  cpu: CpuRow[];
  /** Busy CPU seconds of the whole machine in the peak window, and those of other processes. */
  machineCpu: {
    windowS: number;
    busyS: number;
    /** CPU seconds the hypervisor gave to other guests (steal). */
    stealS: number;
    benchProcessesS: number;
    otherS: number;
  };
  baseline: BaselineResult | undefined;
  query: QueryResult | undefined;
  verification: {
    expected: number;
    counted: { minute: number; hour: number; day: number };
    freshExpected: number;
    freshCounted: number;
    ok: boolean;
  };
  profile: (ProfileSummary & { app: string }) | undefined;
}

/** The row labels every report has (the smoke test checks them). */
export const ROW_LABELS = [
  'end-to-end throughput (events/s)',
  'acknowledged throughput (events/s)',
  'ack latency at peak p50 / p95 / p99 (ms)',
  'ack latency at 50% of peak p50 / p95 / p99 (ms)',
  'freshness at peak p50 / p99 (ms)',
  'freshness at 50% of peak p50 / p99 (ms)',
  '30-day hourly query p50 / p95 / p99 (ms)',
  'naive baseline (events/s)',
  'Tally / naive baseline',
  'no loss, no double count',
] as const;

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(1) : int(n));

/** A histogram bucket's upper bound (ms): the quantile is at most this. */
const atMost = (bound: number) =>
  Number.isFinite(bound) ? `≤ ${bound.toLocaleString('en-US')}` : 'past the last bucket';

/**
 * The database's share of the timed queries. The aggregator's histogram times each metrics
 * query's whole read-only transaction (BEGIN, SET LOCAL, the query, COMMIT) and counts every
 * metrics query it answered between the scrapes, so a count other than the timed queries' is
 * said next to the figure.
 */
function databaseTime(db: DbTime, timedQueries: number): string {
  const label = 'database time (transaction)';
  if ('unavailable' in db) return `${label}: n/a (${db.unavailable})`;
  const counted =
    db.queries === timedQueries
      ? `${int(timedQueries)} queries`
      : `it counted ${int(db.queries)} queries for the ${int(timedQueries)} timed`;
  return (
    `${label} p50 / p99 ${atMost(db.p50)} / ${atMost(db.p99)} ` +
    `(bucket upper bounds of the aggregator's histogram, ${counted})`
  );
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(head),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

/** The results as Markdown, ready to paste into BENCHMARKS.md. */
export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  const skipped = 'skipped';
  // A smoke run measures nothing: it only checks that the tool and the accounting work.
  const verdict = (ok: boolean | undefined) =>
    ok === undefined || r.options.smoke ? '–' : ok ? '**met**' : '**not met**';
  out.push(
    `Run ${r.startedAt} — ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB RAM, ${m.os}; ` +
      `Node ${m.node}, ${m.natsServer}, PostgreSQL ${m.postgres}; load average at start ${m.loadAverage.join(' ')}`,
  );
  out.push(`Command: ${r.command}`);
  for (const note of r.stack) out.push(`Stack: ${note}`);
  out.push('');
  const p = r.peak;
  const h = r.half;
  const freshOk =
    p.freshness.probes > 0 ? p.freshness.p99 <= 1000 && (!h || h.freshness.p99 <= 1000) : undefined;
  const ratio = r.baseline ? p.e2eEventsPerS / Math.max(1, r.baseline.eventsPerS) : undefined;
  const failures = (f: Record<string, number>) => Object.values(f).reduce((a, b) => a + b, 0);
  const v = r.verification;
  const rows: string[][] = [
    [
      ROW_LABELS[0],
      `${int(p.e2eEventsPerS)} (${int(p.accepted)} events, ${p.durationS.toFixed(1)} s load + ${(p.drainS - p.durationS).toFixed(1)} s drain)`,
      '≥ 100,000 for 60 s',
      verdict(r.options.durationS >= 60 ? p.e2eEventsPerS >= 100_000 : undefined),
    ],
    [
      ROW_LABELS[1],
      `${int(p.ackEventsPerS)} (${int(p.requests)} requests of ${r.options.batchSize}, ${r.options.clients} clients, ${failures(p.failures)} retried)`,
      '',
      '',
    ],
    [ROW_LABELS[2], `${ms(p.latency.p50)} / ${ms(p.latency.p95)} / ${ms(p.latency.p99)}`, '', ''],
    [
      ROW_LABELS[3],
      h
        ? `${ms(h.latency.p50)} / ${ms(h.latency.p95)} / ${ms(h.latency.p99)} (open loop at ${int(h.ackEventsPerS)} events/s)`
        : skipped,
      'p99 ≤ 50',
      verdict(h ? h.latency.p99 <= 50 : undefined),
    ],
    [
      ROW_LABELS[4],
      `${ms(p.freshness.p50)} / ${ms(p.freshness.p99)} (${p.freshness.probes} probes)`,
      'p99 ≤ 1,000',
      verdict(freshOk),
    ],
    [
      ROW_LABELS[5],
      h
        ? `${ms(h.freshness.p50)} / ${ms(h.freshness.p99)} (${h.freshness.probes} probes)`
        : skipped,
      'p99 ≤ 1,000',
      verdict(h ? h.freshness.p99 <= 1000 : undefined),
    ],
    [
      ROW_LABELS[6],
      r.query
        ? `${ms(r.query.p50)} / ${ms(r.query.p95)} / ${ms(r.query.p99)} (${r.query.queries} queries, ${r.query.buckets} buckets over ${int(r.query.seededRows)} rows; ` +
          `${databaseTime(r.query.dbTime, r.query.queries)})`
        : skipped,
      'p99 ≤ 50',
      verdict(r.query ? r.query.p99 <= 50 : undefined),
    ],
    [
      ROW_LABELS[7],
      r.baseline
        ? `${int(r.baseline.eventsPerS)} (ack p50 / p99 ${ms(r.baseline.latency.p50)} / ${ms(r.baseline.latency.p99)} ms, ${r.baseline.durationS.toFixed(0)} s, stored ${r.baseline.stored === r.baseline.accepted ? '=' : '≠'} acked)`
        : skipped,
      '',
      '',
    ],
    [
      ROW_LABELS[8],
      ratio !== undefined ? `${ratio.toFixed(1)}×` : skipped,
      '≥ 20×',
      verdict(ratio !== undefined ? ratio >= 20 : undefined),
    ],
    [
      ROW_LABELS[9],
      `${v.ok ? 'OK' : 'FAILED'}: ${int(v.expected)} acknowledged, counted ${int(v.counted.minute)} / ${int(v.counted.hour)} / ${int(v.counted.day)} (minute / hour / day); probes ${v.freshCounted}/${v.freshExpected}`,
      'exact',
      v.ok ? '**met**' : '**not met**',
    ],
  ];
  out.push(table(['metric', 'measured', 'target', ''], rows));
  out.push('');
  out.push(
    `CPU and memory per process over the peak window (${r.machineCpu.windowS.toFixed(1)} s, load + drain; ` +
      `${int(p.accepted)} events). Machine busy ${r.machineCpu.busyS.toFixed(1)} CPU-s, of which other ` +
      `processes ${r.machineCpu.otherS.toFixed(1)} CPU-s; stolen by the hypervisor ${r.machineCpu.stealS.toFixed(1)} CPU-s.`,
  );
  out.push('');
  out.push(
    table(
      ['process', 'CPU s', 'CPU s per 1M events', 'peak RSS (VmHWM) MiB'],
      r.cpu.map((c) => [
        c.process,
        c.cpuSeconds.toFixed(1),
        c.perMillion.toFixed(1),
        int(c.peakRssMiB),
      ]),
    ),
  );
  if (r.profile) {
    out.push('');
    out.push(
      `CPU profile of ${r.profile.app} over the peak phase (${r.profile.samples} samples, ` +
        `${(r.profile.busyShare * 100).toFixed(0)} % busy); self time as a share of busy samples:`,
    );
    out.push('');
    out.push(
      table(
        ['by module', 'self'],
        r.profile.topModules.map((x) => [x.module, `${(x.share * 100).toFixed(1)} %`]),
      ),
    );
    out.push('');
    out.push(
      table(
        ['top frames', 'self'],
        r.profile.topFrames.map((x) => [x.frame, `${(x.share * 100).toFixed(1)} %`]),
      ),
    );
  }
  return out.join('\n');
}
