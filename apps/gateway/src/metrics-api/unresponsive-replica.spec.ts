import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import { QUEUE_GROUPS, SUBJECTS, type MetricsReply } from '@tally/contracts';
import { register } from 'prom-client';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';

const READ = 'read_key_unresponsive_0001';
const QUERIES = 20;
const answer: MetricsReply = {
  ok: true,
  series: [{ bucket: '2026-01-01T00:00:00.000Z', count: 1, uniqueUsers: 1, revenue: {} }],
};

/**
 * Two members of the aggregator's queue group on the real broker: one answers, the other takes
 * requests and never answers (a paused replica: GC pause, SIGSTOP, a debugger).
 */
function oneLiveOnePausedReplica(swallowed: { count: number }) {
  return (peer: NatsConnection): void => {
    peer.subscribe(SUBJECTS.metricsQuery, {
      queue: QUEUE_GROUPS.aggregator,
      callback: (_err, msg) => {
        msg.respond(JSON.stringify(answer));
      },
    });
    peer.subscribe(SUBJECTS.metricsQuery, {
      queue: QUEUE_GROUPS.aggregator,
      callback: () => {
        swallowed.count += 1;
      },
    });
  };
}

async function attemptTimeouts(): Promise<number> {
  const metric = register.getSingleMetric('tally_gateway_request_attempt_timeouts_total');
  assert.ok(metric, 'the attempt-timeout counter is not registered');
  const { values } = await metric.get();
  return values
    .filter((v) => v.labels['subject'] === SUBJECTS.metricsQuery)
    .reduce((sum, v) => sum + v.value, 0);
}

describe('GET /v1/metrics with one of two aggregator replicas paused', () => {
  let setup: GatewayWithStandIns;
  const swallowed = { count: 0 };

  before(async () => {
    setup = await gatewayWithStandIns(
      {
        TALLY_API_KEYS: JSON.stringify([{ key: READ, projectId: 'p1', kind: 'read' }]),
        RATE_LIMIT_READ_REQUESTS_PER_SECOND: '0',
        QUERY_TIMEOUT_MS: '5000',
        QUERY_ATTEMPT_TIMEOUT_MS: '200',
      },
      oneLiveOnePausedReplica(swallowed),
    );
  });

  after(() => setup.close());

  it('answers every one of N parallel queries by retrying on another member', async () => {
    const url = `${setup.gateway.base}/v1/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`;
    const replies = await Promise.all(
      Array.from({ length: QUERIES }, () =>
        fetch(url, { headers: { authorization: `Bearer ${READ}` } }),
      ),
    );
    const statuses = replies.map((res) => res.status);
    assert.deepEqual(statuses, new Array<number>(QUERIES).fill(200));
    for (const res of replies) assert.deepEqual(await res.json(), { series: answer.series });
    // NOTE: the broker picks a queue member at random: with 20 queries the paused one got some.
    assert.ok(swallowed.count > 0, 'the paused replica was never asked');
    assert.ok((await attemptTimeouts()) > 0, 'the timed-out attempts are counted');
  });
});
