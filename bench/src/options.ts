export const APP_NAMES = ['gateway', 'ingest', 'aggregator', 'notifier'] as const;
export type AppName = (typeof APP_NAMES)[number];

export interface BenchOptions {
  /** Seconds of closed-loop load at full speed (the peak phase). */
  durationS: number;
  /** Concurrent HTTP clients (keep-alive connections) in the peak phase and the baseline. */
  clients: number;
  /** Events per `POST /v1/events` request. */
  batchSize: number;
  /** TALLY_PARTITIONS of ingest and aggregator (private stack only). */
  partitions: number;
  /** CONSUMER_BATCH_SIZE of the aggregator (private stack only). */
  consumerBatch: number;
  /** Seconds of open-loop load at half the measured peak (the latency phase); 0 skips it. */
  halfDurationS: number;
  /** Seconds of the naive baseline (one event per request, one upsert per event); 0 skips it. */
  baselineDurationS: number;
  /** Timed `GET /v1/metrics` calls of the 30-day hourly series; 0 skips the query benchmark. */
  queries: number;
  /** Distinct user ids in the generated events. */
  users: number;
  /** Profile this app during the peak phase and print its top frames. */
  cpuProf: AppName | undefined;
  /** NODE_OPTIONS for the four apps (private stack), e.g. V8 heap flags. */
  nodeOptions: string | undefined;
  /** Use the stack of `node scripts/stack.mjs --detach` instead of a private one. */
  reuse: boolean;
  /** Also write the results as JSON here. */
  jsonFile: string | undefined;
  smoke: boolean;
  help: boolean;
}

export const USAGE = `Usage: pnpm bench [options]   (= node bench/dist/cli.js)

Starts a private stack (nats-server, a fresh database, the four built apps), drives
POST /v1/events, verifies that every acknowledged event is counted exactly once, and prints
throughput, latency, freshness, CPU and memory per process, a naive baseline and a query benchmark.

  --duration=S           peak phase, closed loop at full speed (default 60)
  --clients=N            concurrent keep-alive clients (default 16)
  --batch=N              events per request (default 100)
  --partitions=N         TALLY_PARTITIONS (default 1, the setting for one box; private stack only)
  --consumer-batch=N     aggregator CONSUMER_BATCH_SIZE (default 512; private stack only)
  --half-duration=S      open-loop phase at 50% of the measured peak, for latency (default 20; 0 skips)
  --baseline-duration=S  naive baseline: 1 event/request, 1 upsert/event (default 20; 0 skips)
  --queries=N            timed 30-day hourly series queries (default 500; 0 skips)
  --users=N              distinct user ids (default 10000)
  --cpu-prof=APP         profile gateway|ingest|aggregator|notifier during the peak phase
  --node-options=OPTS    NODE_OPTIONS for the four apps (e.g. --max-semi-space-size=32)
  --reuse                use the stack of \`node scripts/stack.mjs --detach\` (own project via the admin API)
  --json=FILE            also write the results as JSON
  --smoke                a few seconds of tiny load: checks the tool, measures nothing
  --help`;

const DEFAULTS: BenchOptions = {
  durationS: 60,
  clients: 16,
  batchSize: 100,
  // NOTE: one partition is the fastest on a single box (each partition is one more stored message
  // per request); more partitions are for aggregator replicas on more machines (BENCHMARKS.md).
  partitions: 1,
  consumerBatch: 512,
  halfDurationS: 20,
  baselineDurationS: 20,
  queries: 500,
  users: 10_000,
  cpuProf: undefined,
  nodeOptions: undefined,
  reuse: false,
  jsonFile: undefined,
  smoke: false,
  help: false,
};

const SMOKE: Partial<BenchOptions> = {
  durationS: 3,
  clients: 2,
  batchSize: 10,
  halfDurationS: 2,
  baselineDurationS: 1,
  queries: 10,
  users: 50,
};

const NUMERIC: Record<string, keyof BenchOptions> = {
  '--duration': 'durationS',
  '--clients': 'clients',
  '--batch': 'batchSize',
  '--partitions': 'partitions',
  '--consumer-batch': 'consumerBatch',
  '--half-duration': 'halfDurationS',
  '--baseline-duration': 'baselineDurationS',
  '--queries': 'queries',
  '--users': 'users',
};

/** Flags given explicitly win over `--smoke`'s small defaults, wherever they stand. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const explicit: Partial<Record<keyof BenchOptions, unknown>> = {};
  let smoke = false;
  for (const arg of argv) {
    const [flag = '', value] = arg.split(/=(.*)/s, 2);
    const numeric = NUMERIC[flag];
    if (numeric) {
      const n = Number(value);
      const min =
        numeric === 'halfDurationS' || numeric === 'baselineDurationS' || numeric === 'queries'
          ? 0
          : 1;
      if (value === undefined || value === '' || !Number.isFinite(n) || n < min) {
        throw new Error(`${flag} needs a number ≥ ${min}, got ${JSON.stringify(value ?? '')}`);
      }
      explicit[numeric] = numeric.endsWith('S') ? n : Math.round(n);
    } else if (flag === '--smoke') smoke = true;
    else if (flag === '--reuse') explicit.reuse = true;
    else if (flag === '--help' || flag === '-h') explicit.help = true;
    else if (flag === '--json' && value) explicit.jsonFile = value;
    else if (flag === '--node-options' && value) explicit.nodeOptions = value;
    else if (flag === '--cpu-prof' && (APP_NAMES as readonly string[]).includes(value ?? '')) {
      explicit.cpuProf = value;
    } else throw new Error(`unknown or incomplete argument "${arg}"\n\n${USAGE}`);
  }
  return { ...DEFAULTS, ...(smoke ? SMOKE : {}), ...explicit, smoke } as BenchOptions;
}
