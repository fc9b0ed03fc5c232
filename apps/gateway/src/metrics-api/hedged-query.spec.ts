import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { METRICS_QUERY_HEADERS, QUEUE_GROUPS, SUBJECTS, type MetricsReply } from '@tally/contracts';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';

const READ = 'read_key_hedged_query_0001';
const answer: MetricsReply = {
  ok: true,
  series: [{ bucket: '2026-01-01T00:00:00.000Z', count: 7, uniqueUsers: 3, revenue: {} }],
};
const busy: MetricsReply = {
  ok: false,
  code: 'too_many_queries',
  error: 'the project already has 2 queries running and 64 waiting on this replica',
  details: { concurrency: 2, queue: 64 },
};

/**
 * An aggregator whose first attempt of a query runs long (it answers only after a later attempt
 * was refused), while every later attempt lands on a replica whose share of the project is full.
 */
class SlowFirstAttempt {
  readonly queryIds: Array<string | undefined> = [];
  private held: Msg | undefined;
  /** What the first attempt finally answers. */
  firstAnswer: MetricsReply = answer;

  serve(peer: NatsConnection): void {
    peer.subscribe(SUBJECTS.metricsQuery, {
      queue: QUEUE_GROUPS.aggregator,
      callback: (_err, msg) => this.receive(msg),
    });
  }

  private receive(msg: Msg): void {
    this.queryIds.push(msg.headers?.get(METRICS_QUERY_HEADERS.queryId) || undefined);
    if (this.queryIds.length === 1) {
      this.held = msg;
      return;
    }
    msg.respond(JSON.stringify(busy));
    this.held?.respond(JSON.stringify(this.firstAnswer));
    this.held = undefined;
  }

  reset(firstAnswer: MetricsReply): void {
    this.queryIds.length = 0;
    this.firstAnswer = firstAnswer;
  }
}

describe('GET /v1/metrics: hedged attempts of one query', () => {
  let setup: GatewayWithStandIns;
  const aggregator = new SlowFirstAttempt();
  const url = () =>
    `${setup.gateway.base}/v1/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`;
  const get = () => fetch(url(), { headers: { authorization: `Bearer ${READ}` } });

  before(async () => {
    setup = await gatewayWithStandIns(
      {
        TALLY_API_KEYS: JSON.stringify([{ key: READ, projectId: 'p1', kind: 'read' }]),
        RATE_LIMIT_READ_REQUESTS_PER_SECOND: '0',
        QUERY_TIMEOUT_MS: '5000',
        QUERY_ATTEMPT_TIMEOUT_MS: '100',
      },
      (peer) => aggregator.serve(peer),
    );
  });

  after(() => setup.close());

  it('answers the running first attempt, not a later attempt refused as busy', async () => {
    aggregator.reset(answer);
    const res = await get();
    assert.equal(res.status, 200, JSON.stringify(await res.clone().json()));
    assert.deepEqual(await res.json(), { series: answer.series });
    assert.ok(aggregator.queryIds.length >= 2, 'the query was never sent again');
  });

  it('sends every attempt of a query with one id, and another query with another', async () => {
    aggregator.reset(answer);
    assert.equal((await get()).status, 200);
    const first = [...aggregator.queryIds];
    aggregator.reset(answer);
    assert.equal((await get()).status, 200);
    assert.ok(first[0], 'the attempts carry no query id');
    assert.deepEqual(new Set(first), new Set([first[0]]));
    assert.deepEqual(new Set(aggregator.queryIds), new Set([aggregator.queryIds[0]]));
    assert.notEqual(aggregator.queryIds[0], first[0]);
  });

  it("answers the first attempt's outcome when no attempt gets an answer", async () => {
    aggregator.reset({ ok: false, code: 'invalid_query', error: 'the first attempt refused it' });
    const res = await get();
    assert.ok(aggregator.queryIds.length >= 2, 'the first attempt answered before the second');
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: { code: 'invalid_query', message: 'the first attempt refused it' },
    });
  });
});
