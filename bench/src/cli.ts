#!/usr/bin/env node
// `pnpm bench`: the benchmark described in BENCHMARKS.md. `--help` lists the flags.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { natsServerBin } from '@tally/testkit';
import { createBenchProject } from './api.js';
import { runBaseline, type BaselineResult } from './baseline.js';
import type { BodySpec } from './bodies.js';
import { startFreshnessProbe, type FreshnessSummary } from './freshness.js';
import { startLoad, type LoadResult } from './load.js';
import { benchNodeMismatch } from './node-version.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import {
  cpuSeconds,
  machineInfo,
  machineCpuSeconds,
  natsServerVersion,
  peakRssBytes,
} from './proc-stats.js';
import { postgresPids } from './process-set.js';
import { summariseProfile } from './profile-summary.js';
import { runQueryBench, type QueryResult } from './query-bench.js';
import {
  renderReport,
  type BenchResults,
  type CpuRow,
  type HalfResult,
  type PeakResult,
} from './report.js';
import { reuseStack, say, startPrivateStack, type BenchStack } from './stack.js';
import { workspaceRoot } from '@tally/testkit';
import { committedSoFar, rollupTotals, waitUntilIdle } from './verify.js';

class Progress {
  private lastPrinted = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly everyMs: number) {}

  update(line: string): void {
    if (this.tty) {
      process.stderr.write(`\r${line.padEnd(110).slice(0, 140)}`);
      return;
    }
    if (Date.now() - this.lastPrinted >= this.everyMs) {
      this.lastPrinted = Date.now();
      process.stderr.write(`${line}\n`);
    }
  }

  end(): void {
    if (this.tty) process.stderr.write('\n');
    this.lastPrinted = 0;
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Ctx {
  opts: BenchOptions;
  stack: BenchStack;
  projectId: string;
  writeKey: string;
  readKey: string;
  runHex: string;
  name: string;
  freshName: string;
  freshAcked: number;
  progress: Progress;
}

function bodySpec(ctx: Ctx, phaseHex: string): BodySpec {
  return {
    name: ctx.name,
    batchSize: ctx.opts.batchSize,
    users: ctx.opts.users,
    runHex: ctx.runHex,
    phaseHex,
  };
}

/** One load phase with a freshness probe beside it and a progress line. */
async function loadPhase(
  ctx: Ctx,
  label: string,
  phaseHex: string,
  job: { mode: 'closed' | 'open'; connections: number; ratePerS?: number; durationS: number },
  withProbe: boolean,
): Promise<{ result: LoadResult; freshness: FreshnessSummary }> {
  const probe = withProbe
    ? startFreshnessProbe({
        origin: ctx.stack.gatewayOrigin,
        writeKey: ctx.writeKey,
        readKey: ctx.readKey,
        name: ctx.freshName,
        ackedBefore: ctx.freshAcked,
        idPrefix: `${ctx.runHex}-f00${phaseHex}-4000-8000`,
      })
    : undefined;
  const load = startLoad({
    origin: ctx.stack.gatewayOrigin,
    path: '/v1/events',
    writeKey: ctx.writeKey,
    body: bodySpec(ctx, phaseHex),
    shape: 'batch',
    mode: job.mode,
    connections: job.connections,
    ratePerS: job.ratePerS,
    durationMs: job.durationS * 1000,
  });
  const started = Date.now();
  let last = { t: started, accepted: 0 };
  let running = true;
  const stopTicker = new AbortController();
  const ticker = (async () => {
    while (running) {
      await delay(1000, undefined, { signal: stopTicker.signal }).catch(() => undefined);
      if (!running) break;
      const now = Date.now();
      const p = load.progress();
      const rate = ((p.accepted - last.accepted) / (now - last.t)) * 1000;
      last = { t: now, accepted: p.accepted };
      const committed = await committedSoFar(ctx.stack, ctx.projectId, ctx.name).catch(() => NaN);
      ctx.progress.update(
        `[${label} ${Math.round((now - started) / 1000)}/${job.durationS} s] ${fmt(rate)} events/s acked, ` +
          `${fmt(p.accepted)} this phase, ${fmt(committed)} committed in all, ${p.failures} retried`,
      );
    }
  })();
  try {
    const result = await load.done;
    if (result.fatal) throw new Error(`${label}: ${result.fatal}`);
    const freshness = probe
      ? await probe.stop()
      : { probes: 0, p50: 0, p99: 0, max: 0, acked: ctx.freshAcked };
    ctx.freshAcked = freshness.acked;
    return { result, freshness };
  } finally {
    running = false;
    stopTicker.abort();
    await ticker;
    ctx.progress.end();
  }
}

/**
 * Waits for the aggregator to commit everything, with a progress line while it drains; resolves
 * to the time (Date.now()) at which it was seen idle.
 */
async function drain(ctx: Ctx, expected: number): Promise<number> {
  const started = Date.now();
  let done = false;
  const stop = new AbortController();
  const ticker = (async () => {
    while (!done) {
      await delay(1000, undefined, { signal: stop.signal }).catch(() => undefined);
      if (done) break;
      const committed = await committedSoFar(ctx.stack, ctx.projectId, ctx.name).catch(() => NaN);
      ctx.progress.update(
        `[drain ${Math.round((Date.now() - started) / 1000)} s] ${fmt(committed)} of ${fmt(expected)} events committed`,
      );
    }
  })();
  try {
    await waitUntilIdle(ctx.stack);
    return Date.now();
  } finally {
    done = true;
    stop.abort();
    await ticker;
    ctx.progress.end();
  }
}

interface Meter {
  name: string;
  pids: () => number[];
}

function snapshot(meters: Meter[]): Map<string, Map<number, number>> {
  return new Map(
    meters.map((m) => [m.name, new Map(m.pids().map((pid) => [pid, cpuSeconds(pid)]))]),
  );
}

async function run(opts: BenchOptions): Promise<number> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const runHex = randomBytes(4).toString('hex');
  const command = `pnpm bench ${process.argv.slice(2).join(' ')}`.trim();
  say(`run ${runHex}: ${command}`);
  say(
    opts.reuse
      ? 'reusing the stack of node scripts/stack.mjs'
      : 'starting a private stack (nats-server, fresh databases, the four apps)',
  );
  const stack = opts.reuse ? await reuseStack() : await startPrivateStack(opts);
  try {
    const pgVersion = await stack.pg.query<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
    );
    const dbName = new URL(stack.databaseUrl).pathname.slice(1);
    const project = await createBenchProject(
      stack.gatewayOrigin,
      stack.adminToken,
      `bench ${runHex}`,
    );
    say(`project ${project.projectId}; ${stack.notes.join('; ')}`);
    const ctx: Ctx = {
      opts,
      stack,
      ...project,
      runHex,
      name: `bench_${runHex}`,
      freshName: `bench_${runHex}_fresh`,
      freshAcked: 0,
      progress: new Progress(opts.smoke ? 1000 : 5000),
    };

    // 1. The naive baseline, while the stack is idle.
    let baseline: BaselineResult | undefined;
    if (opts.baselineDurationS > 0) {
      say(
        `naive baseline: ${opts.baselineDurationS} s, ${opts.clients} clients, 1 event per request`,
      );
      baseline = await runBaseline({
        durationS: opts.baselineDurationS,
        clients: opts.clients,
        body: { ...bodySpec(ctx, 'b'), batchSize: 1 },
        onProgress: (accepted, elapsed) =>
          ctx.progress.update(
            `[baseline ${Math.round(elapsed)}/${opts.baselineDurationS} s] ${fmt(accepted)} events acked`,
          ),
      });
      ctx.progress.end();
      say(`naive baseline: ${fmt(baseline.eventsPerS)} events/s`);
    }

    // 2. Warm-up (JIT, connection pools, stream files), then wait until everything is committed.
    const warmUpS = opts.smoke ? 1 : Math.min(5, Math.max(1, opts.durationS / 10));
    const warm = await loadPhase(
      ctx,
      'warm-up',
      '1',
      { mode: 'closed', connections: opts.clients, durationS: warmUpS },
      false,
    );
    await drain(ctx, warm.result.accepted);

    // 3. Peak: closed loop at full speed, measured until the aggregator committed the last event.
    const meters: Meter[] = [
      ...stack.apps.map((a) => ({ name: a.name, pids: () => [a.pid] })),
      { name: 'nats-server', pids: () => (stack.natsPid ? [stack.natsPid] : []) },
      { name: 'postgres (all processes)', pids: () => pgPids },
      { name: 'bench load generator', pids: () => [process.pid] },
    ];
    let pgPids = await postgresPids(stack.pg, dbName);
    const profiled = opts.cpuProf ? stack.apps.find((a) => a.name === opts.cpuProf) : undefined;
    if (opts.cpuProf && (!profiled || !stack.profileFile)) {
      say(`--cpu-prof=${opts.cpuProf}: only with the private stack; not profiling`);
    }
    if (profiled && stack.profileFile) process.kill(profiled.pid, 'SIGWINCH');
    const before = snapshot(meters);
    const machineBefore = machineCpuSeconds();
    const t0 = Date.now();
    say(
      `peak: ${opts.durationS} s closed loop, ${opts.clients} clients, ${opts.batchSize} events per request`,
    );
    const peakLoad = await loadPhase(
      ctx,
      'peak',
      '2',
      { mode: 'closed', connections: opts.clients, durationS: opts.durationS },
      true,
    );
    if (profiled && stack.profileFile) process.kill(profiled.pid, 'SIGWINCH');
    const idleAt = await drain(ctx, warm.result.accepted + peakLoad.result.accepted);
    const drainS = (idleAt - t0) / 1000;
    pgPids = [...new Set([...pgPids, ...(await postgresPids(stack.pg, dbName))])];
    const after = snapshot(meters);
    const machineAfter = machineCpuSeconds();
    const peakEvents = peakLoad.result.accepted;
    const cpu: CpuRow[] = meters.map((m) => {
      let seconds = 0;
      for (const [pid, end] of after.get(m.name) ?? []) {
        seconds += end - (before.get(m.name)?.get(pid) ?? 0);
      }
      const rss = Math.max(0, ...m.pids().map(peakRssBytes));
      return {
        process: m.name,
        cpuSeconds: seconds,
        perMillion: (seconds / Math.max(1, peakEvents)) * 1e6,
        peakRssMiB: rss / 2 ** 20,
      };
    });
    const ours = cpu.reduce((s, c) => s + c.cpuSeconds, 0);
    const busy = machineAfter.busy - machineBefore.busy;
    const peak: PeakResult = {
      durationS: peakLoad.result.elapsedMs / 1000,
      requests: peakLoad.result.requests,
      accepted: peakEvents,
      failures: peakLoad.result.failures,
      ackEventsPerS: peakEvents / (peakLoad.result.elapsedMs / 1000),
      latency: peakLoad.result.latency,
      freshness: peakLoad.freshness,
      drainS,
      e2eEventsPerS: peakEvents / drainS,
    };
    say(
      `peak: ${fmt(peak.e2eEventsPerS)} events/s end to end (${fmt(peak.ackEventsPerS)} acked), ` +
        `ack p99 ${peak.latency.p99.toFixed(1)} ms, freshness p99 ${peak.freshness.p99} ms`,
    );

    // 4. Half of the peak, open loop: the latency a client sees when the stack is not saturated.
    let half: HalfResult | undefined;
    let halfAccepted = 0;
    if (opts.halfDurationS > 0) {
      const targetEventsPerS = peak.e2eEventsPerS / 2;
      say(`50% of peak: ${fmt(targetEventsPerS)} events/s open loop for ${opts.halfDurationS} s`);
      const h = await loadPhase(
        ctx,
        '50%',
        '3',
        {
          mode: 'open',
          connections: Math.max(32, opts.clients),
          ratePerS: targetEventsPerS / opts.batchSize,
          durationS: opts.halfDurationS,
        },
        true,
      );
      halfAccepted = h.result.accepted;
      await drain(ctx, warm.result.accepted + peakLoad.result.accepted + halfAccepted);
      half = {
        targetEventsPerS,
        durationS: h.result.elapsedMs / 1000,
        requests: h.result.requests,
        accepted: h.result.accepted,
        failures: h.result.failures,
        ackEventsPerS: h.result.accepted / (h.result.elapsedMs / 1000),
        latency: h.result.latency,
        freshness: h.freshness,
      };
    }

    // 5. Verification: every acknowledged event counted exactly once at every granularity.
    const expected = warm.result.accepted + peakEvents + halfAccepted;
    const counted = await rollupTotals(stack, ctx.projectId, ctx.name);
    const fresh = await rollupTotals(stack, ctx.projectId, ctx.freshName);
    const ok =
      counted.minute === expected &&
      counted.hour === expected &&
      counted.day === expected &&
      fresh.minute === ctx.freshAcked &&
      fresh.day === ctx.freshAcked;

    // 6. The 30-day hourly series query.
    let query: QueryResult | undefined;
    if (opts.queries > 0) {
      say(`query: seeding 30 days of hourly rows, then ${opts.queries} timed queries`);
      query = await runQueryBench(stack, {
        projectId: ctx.projectId,
        readKey: ctx.readKey,
        queries: opts.queries,
      });
    }

    let profile: BenchResults['profile'];
    if (profiled && stack.profileFile) {
      const file = stack.profileFile;
      for (let i = 0; i < 100 && !existsSync(file); i++) await delay(100);
      if (existsSync(file)) profile = { app: profiled.name, ...summariseProfile(file) };
      say(`profile of ${profiled.name}: ${file}`);
    }

    const results: BenchResults = {
      startedAt,
      command,
      machine: {
        ...machine,
        natsServer: natsServerVersion(natsServerBin()),
        postgres: pgVersion.rows[0]?.v ?? 'unknown',
      },
      options: opts,
      stack: stack.notes,
      peak,
      half,
      cpu,
      machineCpu: {
        windowS: drainS,
        busyS: busy,
        stealS: machineAfter.steal - machineBefore.steal,
        benchProcessesS: ours,
        otherS: Math.max(0, busy - ours),
      },
      baseline,
      query,
      verification: {
        expected,
        counted,
        freshExpected: ctx.freshAcked,
        freshCounted: fresh.day,
        ok,
      },
      profile,
    };
    console.log(renderReport(results));
    if (opts.jsonFile) writeFileSync(opts.jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    if (!ok) {
      say('VERIFICATION FAILED: acknowledged events and rollup totals differ');
      return 1;
    }
    if (baseline && baseline.stored !== baseline.accepted) {
      say('the naive baseline stored a different count than it acknowledged');
      return 1;
    }
    return 0;
  } catch (err) {
    for (const [app, file] of Object.entries(stack.logFiles)) say(`log of ${app}: ${file}`);
    throw err;
  } finally {
    say('stopping');
    await stack.stop();
  }
}

let opts: BenchOptions;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
const nodeMismatch = opts.help ? undefined : benchNodeMismatch(workspaceRoot());
if (opts.help) {
  console.log(USAGE);
} else if (nodeMismatch) {
  console.error(nodeMismatch);
  process.exitCode = 2;
} else {
  run(opts).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    },
  );
}
