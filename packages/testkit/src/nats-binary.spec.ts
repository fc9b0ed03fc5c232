import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { natsServerBin, natsServerMinimum } from './nats-binary.js';

// NOTE: Debian 12's own nats-server package (2.9.10) is installed on every development and CI
// machine (ENVIRONMENT.md); it is only asked for its version here.
const DEBIAN_12_NATS = '/usr/sbin/nats-server';

describe('the nats-server binary the tests start', () => {
  const configured = process.env['NATS_SERVER_BIN'];
  afterEach(() => {
    if (configured === undefined) delete process.env['NATS_SERVER_BIN'];
    else process.env['NATS_SERVER_BIN'] = configured;
  });

  it('is refused when older than the minimum, saying both versions and how to get a current one', () => {
    process.env['NATS_SERVER_BIN'] = DEBIAN_12_NATS;
    assert.throws(
      () => natsServerBin(),
      (err: Error) => {
        assert.match(err.message, /is nats-server 2\.9\.10; the tests need (\S+) or newer/);
        assert.ok(err.message.includes(`${natsServerMinimum()} or newer`), err.message);
        assert.match(err.message, /scripts\/test\.mjs/);
        return true;
      },
    );
  });
});
