import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiErrorBody, type MetricsQuery, type MetricsReply } from '@tally/contracts';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import { standInServices } from '../test-support/service-stand-ins.js';

const READ = 'read_key_query_limits_0001';
const DAY = 'from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z';

describe('GET /v1/metrics: heavy queries are refused clearly', () => {
  let setup: GatewayWithStandIns;
  const received: MetricsQuery[] = [];
  let answer: MetricsReply = { ok: true, series: [] };

  before(async () => {
    setup = await gatewayWithStandIns(
      {
        TALLY_API_KEYS: JSON.stringify([{ key: READ, projectId: 'p1', kind: 'read' }]),
        RATE_LIMIT_READ_REQUESTS_PER_SECOND: '0',
        RETRY_AFTER_SECONDS: '3',
      },
      (peer) =>
        standInServices(peer, {
          onQuery: (query) => {
            received.push(query);
            return answer;
          },
        }),
    );
  });

  after(() => setup.close());

  const get = (params: string) =>
    fetch(`${setup.gateway.base}/v1/metrics?${params}`, {
      headers: { authorization: `Bearer ${READ}` },
    });

  it('answers 400 query_too_large, saying the limit, without asking the aggregator', async () => {
    const res = await get(`${DAY}&granularity=minute&groupBy=dimension`);
    assert.equal(res.status, 400);
    assert.deepEqual(ApiErrorBody.parse(await res.json()), {
      error: {
        code: 'query_too_large',
        message:
          'the query covers 1440 minute buckets × 10 series = 14400 points; at most 10000: use a ' +
          'coarser granularity, a shorter range or fewer series (top, name)',
        details: [
          {
            message: 'at most 10000 points',
            buckets: 1440,
            series: 10,
            points: 14_400,
            maxPoints: 10_000,
          },
        ],
      },
    });
    assert.deepEqual(received, []);

    const narrowed = await get(`${DAY}&granularity=minute&groupBy=dimension&top=5`);
    assert.equal(narrowed.status, 200);
    assert.equal(received.length, 1);
  });

  it("answers 429 too_many_queries with Retry-After when the project's share is full", async () => {
    answer = {
      ok: false,
      code: 'too_many_queries',
      error: 'the project already has 2 queries running and 8 waiting on this replica',
      details: { concurrency: 2, queue: 8 },
    };
    const res = await get(DAY);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.deepEqual(ApiErrorBody.parse(await res.json()).error, {
      code: 'too_many_queries',
      message: answer.error,
      details: [{ message: 'retry in 3 s', retryAfterSeconds: 3, concurrency: 2, queue: 8 }],
    });
  });
});
