import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { METRICS_QUERY_HEADERS, MetricsQuery, SUBJECTS, type MetricsReply } from '@tally/contracts';

const MINUTE = 60_000;

/**
 * Plays the aggregator on a real nats-server: minute buckets of counts the test sets, summed
 * over the queried range into one point (as `total` asks), and every query it was asked.
 */
export class AggregatorStandIn {
  readonly queries: MetricsQuery[] = [];
  /** The `Tally-Query-Class` header of each query, in the same order. */
  readonly classes: Array<string | undefined> = [];
  private readonly buckets = new Map<string, number>();
  private readonly subscription: Subscription;

  constructor(nc: NatsConnection) {
    this.subscription = nc.subscribe(SUBJECTS.metricsQuery, {
      callback: (_err, msg) => {
        const query = MetricsQuery.parse(msg.json());
        this.queries.push(query);
        this.classes.push(msg.headers?.get(METRICS_QUERY_HEADERS.queryClass) || undefined);
        msg.respond(JSON.stringify(this.answer(query)));
      },
    });
  }

  /** `count` events of `type` (and `dimension`) in the minute that holds `at`. */
  set(type: string, dimension: string | null, at: number, count: number): void {
    this.buckets.set(key(type, dimension, Math.floor(at / MINUTE) * MINUTE), count);
  }

  stop(): void {
    this.subscription.unsubscribe();
  }

  private answer(q: MetricsQuery): MetricsReply {
    if (!q.total) return { ok: false, error: 'expected total=true' };
    let count = 0;
    for (let bucket = q.from; bucket < q.to; bucket += MINUTE) {
      count += this.buckets.get(key(q.type ?? '', q.dimension ?? null, bucket)) ?? 0;
    }
    const point = {
      bucket: new Date(q.from).toISOString(),
      count,
      uniqueUsers: count,
      revenue: {},
    };
    return { ok: true, series: count === 0 ? [] : [point] };
  }
}

function key(type: string, dimension: string | null, bucket: number): string {
  return `${type}|${dimension ?? ''}|${bucket}`;
}
