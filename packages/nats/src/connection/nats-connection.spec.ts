import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNatsServer, type NatsServerHandle } from '@tally/testkit';
import { NatsConnection } from './nats-connection.js';
import { NATS_SERVER_MINIMUM, UnsupportedNatsServerError } from './server-version.js';

// NOTE: the machine's own nats-server (Debian 12's 2.9.10) listens here on every development and
// CI machine (ENVIRONMENT.md); the test only connects to it and reads its INFO.
const MACHINE_NATS = 'nats://127.0.0.1:4222';

/** The error `open` refuses the server with; a connection it opened instead is closed, and fails. */
async function refusal(server: string): Promise<UnsupportedNatsServerError> {
  let connection: NatsConnection;
  try {
    connection = await NatsConnection.open({ servers: [server], name: 'server-check' });
  } catch (err) {
    assert.ok(err instanceof UnsupportedNatsServerError, String(err));
    return err;
  }
  await connection.onApplicationShutdown();
  assert.fail(`connected to ${server}`);
}

describe('NatsConnection checks the server it connects to', () => {
  let withoutJetStream: NatsServerHandle;
  let current: NatsServerHandle;

  before(async () => {
    [withoutJetStream, current] = await Promise.all([
      startNatsServer({ jetstream: false }),
      startNatsServer(),
    ]);
  });

  after(async () => {
    await Promise.all([withoutJetStream?.stop(), current?.stop()]);
  });

  it('refuses a server older than the minimum, naming both versions', async () => {
    const { message } = await refusal(MACHINE_NATS);
    assert.match(message, /runs nats-server 2\.9\.10;/);
    assert.ok(message.includes(`nats-server ${NATS_SERVER_MINIMUM} or newer`), message);
  });

  it('refuses a server without JetStream', async () => {
    const { message } = await refusal(withoutJetStream.url);
    assert.match(message, /runs without JetStream/);
  });

  it('accepts a current server with JetStream', async () => {
    const connection = await NatsConnection.open({ servers: [current.url], name: 'current' });
    try {
      assert.equal(connection.isConnected(), true);
    } finally {
      await connection.onApplicationShutdown();
    }
  });
});
