import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { envFields } from './env-fields.js';
import { ConfigError, loadConfig } from './load-config.js';

const schema = z.object({
  NATS_URL: envFields.natsServers,
  HTTP_PORT: envFields.port(3000),
  DATABASE_URL: envFields.databaseUrl,
});

describe('loadConfig', () => {
  it('parses and defaults a valid environment', () => {
    const config = loadConfig(schema, {
      NATS_URL: 'nats://a:4222, nats://b:4222',
      DATABASE_URL: 'postgres://u@h:5432/db',
    });
    assert.deepEqual(config, {
      NATS_URL: ['nats://a:4222', 'nats://b:4222'],
      HTTP_PORT: 3000,
      DATABASE_URL: 'postgres://u@h:5432/db',
    });
  });

  it('names every bad variable', () => {
    assert.throws(
      () => loadConfig(schema, { NATS_URL: 'http://x', HTTP_PORT: 'abc' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const vars = err.problems.map((p) => p.split(':')[0]).sort();
        assert.deepEqual(vars, ['DATABASE_URL', 'HTTP_PORT', 'NATS_URL.0']);
        return true;
      },
    );
  });
});
