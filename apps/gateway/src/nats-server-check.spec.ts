import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NATS_SERVER_MINIMUM } from '@tally/nats';
import { startNatsServer, startServiceProcess, type NatsServerHandle } from '@tally/testkit';

// Issue 13, part 3: the built gateway as a process refuses to start on a server it cannot run on.
// NOTE: 127.0.0.1:4222 is the machine's own Debian 12 nats-server 2.9.10 (ENVIRONMENT.md): only
// connected to, never stopped or changed.
const MACHINE_NATS = 'nats://127.0.0.1:4222';
const env = (natsUrl: string) => ({
  NATS_URL: natsUrl,
  LOG_LEVEL: 'info',
  ADMIN_TOKEN: 'admin_token_for_nats_check',
  TALLY_API_KEYS: JSON.stringify([
    { key: 'read_key_for_nats_check', projectId: 'p1', kind: 'read' },
  ]),
});

async function startFailure(natsUrl: string): Promise<string> {
  try {
    const started = await startServiceProcess('gateway', {
      name: 'gateway-nats-check',
      env: env(natsUrl),
    });
    await started.handle.kill('SIGTERM');
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  assert.fail(`the gateway started on ${natsUrl}`);
}

describe('the gateway refuses a NATS server it cannot run on', () => {
  let withoutJetStream: NatsServerHandle;

  before(async () => {
    withoutJetStream = await startNatsServer({ jetstream: false });
  });

  after(async () => {
    await withoutJetStream?.stop();
  });

  it('does not start on nats-server 2.9.10, and says which versions', async () => {
    const message = await startFailure(MACHINE_NATS);
    assert.match(message, /runs nats-server 2\.9\.10; Tally needs nats-server (\S+) or newer/);
    assert.ok(message.includes(`nats-server ${NATS_SERVER_MINIMUM} or newer`), message);
  });

  it('does not start on a server without JetStream', async () => {
    const message = await startFailure(withoutJetStream.url);
    assert.match(message, /runs without JetStream/);
  });
});
