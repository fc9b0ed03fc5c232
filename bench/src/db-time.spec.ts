import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { freePort } from '@tally/testkit';
import { dbTimeAround } from './db-time.js';
import type { BenchStack } from './stack.js';

const stackWith = (apps: BenchStack['apps']) => ({ apps }) as BenchStack;

/** The histogram's lines as the aggregator exposes them, with `counts` per bound. */
const exposition = (counts: [string, number][]) =>
  [
    '# HELP tally_aggregator_metrics_query_db_seconds Database time',
    '# TYPE tally_aggregator_metrics_query_db_seconds histogram',
    ...counts.map(([le, n]) => `tally_aggregator_metrics_query_db_seconds_bucket{le="${le}"} ${n}`),
  ].join('\n');

describe('database time from the aggregator', () => {
  test('reads p50 and p99 of the queries run between two scrapes of /metrics', async () => {
    let text = exposition([
      ['0.004', 7],
      ['0.005', 7],
      ['0.0075', 7],
      ['+Inf', 7],
    ]);
    const server = createServer((_req, res) => res.end(text));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      let ran = false;
      const db = await dbTimeAround(stackWith([{ name: 'aggregator', pid: 1, port }]), () => {
        ran = true;
        text = exposition([
          ['0.004', 9],
          ['0.005', 105],
          ['0.0075', 107],
          ['+Inf', 107],
        ]);
        return Promise.resolve();
      });
      assert.equal(ran, true);
      assert.deepEqual(db, { queries: 100, p50: 5, p99: 7.5 });
    } finally {
      server.close();
    }
  });

  test('is n/a, not a failure, when the aggregator cannot be scraped', async () => {
    let runs = 0;
    const timed = () => Promise.resolve(void runs++);
    const unreachable = stackWith([{ name: 'aggregator', pid: 1, port: await freePort() }]);
    const notRunning = stackWith([{ name: 'gateway', pid: 1, port: 3000 }]);
    const refused = await dbTimeAround(unreachable, timed);
    assert.ok('unavailable' in refused && /ECONNREFUSED/.test(refused.unavailable));
    assert.deepEqual(await dbTimeAround(notRunning, timed), {
      unavailable: 'the aggregator is not running',
    });
    assert.equal(runs, 2);
  });
});
