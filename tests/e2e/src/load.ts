import { postUntilStored, type Accepted } from './client.js';
import type { Stack } from './stack.js';

/** Counts 202s and lets a test wait for "at least n so far". */
export class Progress {
  private n = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  get value(): number {
    return this.n;
  }

  inc(): void {
    this.n += 1;
    this.waiters = this.waiters.filter((w) => {
      if (this.n < w.n) return true;
      w.resolve();
      return false;
    });
  }

  atLeast(n: number): Promise<void> {
    if (this.n >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

export interface LoadOptions {
  /** Custom event name, also the prefix of user ids. */
  name: string;
  bodies: number;
  batchSize: number;
  senders: number;
  distinctUsers: number;
}

export interface LoadResult {
  /** Sum of `accepted` over all 202 answers: what must be counted, exactly. */
  accepted: number;
  bodies: number;
  failures: Map<string, number>;
  /** How long the failed attempts took to fail: [fastest, slowest] ms. */
  failureLatencyMs: [number, number] | undefined;
  elapsedMs: number;
}

/**
 * `senders` concurrent clients each take the next body, post it until a 202 (same bytes on every
 * retry), and count it. Every body is distinct (a running `n` property), so nothing dedupes but
 * genuine retries.
 */
export async function sendLoad(
  stack: Stack,
  opts: LoadOptions,
  hooks: { stored: Progress; failed: Progress },
  /** Bodies from `from` on are only sent once `open` resolves (e.g. after a restart). */
  gate?: { from: number; open: Promise<void> },
): Promise<LoadResult> {
  const started = Date.now();
  const failures = new Map<string, number>();
  let next = 0;
  let accepted = 0;
  let failureLatencyMs: [number, number] | undefined;
  const bodyText = (j: number): string => {
    const events = Array.from({ length: opts.batchSize }, (_, i) => {
      const n = j * opts.batchSize + i;
      return {
        type: 'custom',
        name: opts.name,
        userId: `${opts.name}-user-${n % opts.distinctUsers}`,
        properties: { n },
      };
    });
    return JSON.stringify({ events, sentAt: new Date().toISOString() });
  };
  const sender = async (): Promise<void> => {
    while (next < opts.bodies) {
      const j = next++;
      if (gate && j >= gate.from) await gate.open;
      const text = bodyText(j);
      const answer: Accepted = await postUntilStored(
        stack.gatewayUrl,
        stack.writeKey,
        text,
        (kind, ms) => {
          failures.set(kind, (failures.get(kind) ?? 0) + 1);
          failureLatencyMs = failureLatencyMs
            ? [Math.min(failureLatencyMs[0], ms), Math.max(failureLatencyMs[1], ms)]
            : [ms, ms];
          hooks.failed.inc();
        },
      );
      if (answer.rejected.length > 0 || answer.accepted !== opts.batchSize) {
        throw new Error(
          `body ${j}: expected all ${opts.batchSize} accepted, got ${JSON.stringify(answer)}`,
        );
      }
      accepted += answer.accepted;
      hooks.stored.inc();
    }
  };
  await Promise.all(Array.from({ length: opts.senders }, sender));
  return {
    accepted,
    bodies: opts.bodies,
    failures,
    failureLatencyMs,
    elapsedMs: Date.now() - started,
  };
}

/** Rows already committed for a custom event name (read straight from the rollups, for logging). */
export async function committedCount(stack: Stack, name: string): Promise<number> {
  const result = await stack.pg.query<{ n: string }>(
    `SELECT coalesce(sum(count), 0)::text AS n FROM rollups
     WHERE granularity = 'minute' AND event_type = 'custom' AND dimension = $1`,
    [name],
  );
  return Number(result.rows[0]?.n ?? 0);
}
