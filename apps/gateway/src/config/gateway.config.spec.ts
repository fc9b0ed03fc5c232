import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@tally/platform';
import { gatewayConfig } from './gateway.config.js';

const BASE = { ADMIN_TOKEN: 'admin_token_for_tests_000001' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    gatewayConfig({ ...BASE, ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('gateway HTTP edge settings', () => {
  it('has timeouts, a connection cap and a body limit by default', () => {
    assert.deepEqual(gatewayConfig(BASE).http, {
      port: 3000,
      headersTimeoutMs: 5_000,
      requestTimeoutMs: 15_000,
      idleTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 5_000,
      maxBodyBytes: 65_536,
    });
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    const problems = problemsOf({
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '1000',
    });
    assert.deepEqual(problems, [
      'HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS',
    ]);
  });

  it('refuses an idle timeout that would cut off live streams or slow answers', () => {
    for (const env of <Record<string, string>[]>[
      { LIVE_HEARTBEAT_MS: '30000' },
      { INGEST_TIMEOUT_MS: '40000' },
      { HTTP_IDLE_TIMEOUT_MS: '5000' },
    ]) {
      const [problem, ...more] = problemsOf(env);
      assert.match(problem ?? '', /^HTTP_IDLE_TIMEOUT_MS: must exceed LIVE_HEARTBEAT_MS/);
      assert.deepEqual(more, []);
    }
  });

  it('refuses a live-stream limit that could hold every connection', () => {
    assert.deepEqual(problemsOf({ LIVE_MAX_STREAMS: '5000' }), [
      'LIVE_MAX_STREAMS: must be below HTTP_MAX_CONNECTIONS, or live streams can hold every connection',
    ]);
    assert.deepEqual(problemsOf({ LIVE_MAX_STREAMS: '100', HTTP_MAX_CONNECTIONS: '101' }), []);
  });
});
