import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';

const joinedAttempts = new Counter({
  name: 'tally_aggregator_metrics_query_attempts_joined_total',
  help: 'Metrics query attempts that joined the same query already in flight on this replica',
});

/**
 * The runs of queries in flight on this replica, by the query's id and content. The gateway sends
 * a slow query again (hedged attempts, all with one id); an attempt that reaches the replica
 * already running it shares that run's outcome instead of taking a second slot of the project's
 * share and running the same SQL twice.
 */
@Injectable()
export class SharedQueryRuns {
  private readonly runs = new Map<string, Promise<unknown>>();

  /** `run()`'s outcome, shared with every call of the same `key` while it is in flight. */
  join<T>(key: string | undefined, run: () => Promise<T>): Promise<T> {
    if (key === undefined) return run();
    const inFlight = this.runs.get(key) as Promise<T> | undefined;
    if (inFlight) {
      joinedAttempts.inc();
      return inFlight;
    }
    const started = run().finally(() => this.runs.delete(key));
    this.runs.set(key, started);
    return started;
  }
}
