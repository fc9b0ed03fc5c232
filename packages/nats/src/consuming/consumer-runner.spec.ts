import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Consumer, ConsumerMessages } from '@nats-io/jetstream';
import { startNatsServer, type NatsServerHandle } from '@tally/testkit';
import { z } from 'zod';
import { NatsConnection } from '../connection/nats-connection.js';
import { DEFAULT_CONSUMER_OPTIONS } from '../nats.options.js';
import { JetStreamProvisioner } from '../provisioning/jetstream-provisioner.js';
import { JetStreamPublisher } from '../publishing/jetstream-publisher.js';
import { ConsumerRunner, type ConsumerRunnerDeps } from './consumer-runner.js';
import { DeadLetters } from './dead-letters.js';
import { HandlingLog } from './handling-log.js';

const STREAM = { name: 'TEST_RUNNER', subjects: ['test.runner.*'] };
/** Bounds a run() that never sees its stop: without the fix it hangs, and the test fails. */
const HANG = { timeout: 20_000 };

type Stage = 'provision' | 'lookup' | 'open';

describe('ConsumerRunner.run stopped during start-up (issue 12, #16)', () => {
  let server: NatsServerHandle;
  let nats: NatsConnection;
  let provisioner: JetStreamProvisioner;

  before(async () => {
    server = await startNatsServer();
    nats = await NatsConnection.open({ servers: [server.url], name: 'runner-spec' });
    provisioner = new JetStreamProvisioner(nats);
    await provisioner.ensureStream(STREAM);
    await nats.js.publish('test.runner.a', JSON.stringify({ n: 1 }));
  });

  after(async () => {
    await nats.onApplicationShutdown();
    await server.stop();
  });

  /**
   * A runner whose start-up aborts `stop` in the middle of one of its awaits, after the real
   * NATS call of that stage answered, so the abort lands where a SIGTERM could.
   */
  function runnerAbortingAt(stage: Stage, stop: AbortController, durable: string) {
    const handled: unknown[] = [];
    const opened: ConsumerMessages[] = [];
    const abortAt = <T>(at: Stage, value: T): T => {
      if (at === stage) stop.abort();
      return value;
    };
    const consumers = {
      get: async (stream: string, name: string): Promise<Consumer> => {
        const consumer = await nats.js.consumers.get(stream, name);
        const consume: Consumer['consume'] = async (opts) => {
          const messages = await consumer.consume(opts);
          opened.push(messages);
          return abortAt('open', messages);
        };
        return abortAt('lookup', Object.assign(Object.create(consumer) as Consumer, { consume }));
      },
    };
    const deps: ConsumerRunnerDeps = {
      // NOTE: the runner reads only `js.consumers.get` of the connection.
      nats: { js: { consumers } } as unknown as NatsConnection,
      provisioner: {
        ensureConsumer: async (spec) =>
          abortAt('provision', await provisioner.ensureConsumer(spec)),
      } as JetStreamProvisioner,
      deadLetters: new DeadLetters(new JetStreamPublisher(nats)),
      handlingLog: new HandlingLog(nats),
      defaults: { ...DEFAULT_CONSUMER_OPTIONS, lingerMs: 0 },
    };
    const spec = {
      stream: STREAM.name,
      durable,
      subject: 'test.runner.*',
      schema: z.unknown(),
      ordered: true,
    };
    const runner = new ConsumerRunner(deps, spec, async (batch) => handled.push(batch), {
      durable,
      filterSubject: 'test.runner.*',
    });
    return { runner, handled, opened };
  }

  for (const stage of ['provision', 'lookup', 'open'] as const) {
    it(
      `returns when stopped while the ${stage} step is awaited, and consumes nothing`,
      HANG,
      async () => {
        const stop = new AbortController();
        const { runner, handled, opened } = runnerAbortingAt(stage, stop, `runner-${stage}`);
        await runner.run(stop.signal);
        assert.equal(stop.signal.aborted, true);
        assert.deepEqual(handled, []);
        // A message flow that was opened is stopped again, not left pulling for nobody.
        for (const messages of opened) assert.equal(await messages.closed(), undefined);
      },
    );
  }
});
