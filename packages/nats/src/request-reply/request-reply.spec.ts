import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startNatsServer, type NatsServerHandle } from '@tally/testkit';
import { z } from 'zod';
import { NatsModule } from '../nats.module.js';
import { NatsRequestHandler } from './nats-request-handler.decorator.js';
import { NatsRequester } from './nats-requester.js';
import { RemoteRequestError } from './request-errors.js';
import type { RequestContext } from './request-handler.explorer.js';

const Sum = z.object({ a: z.number(), b: z.number() });
const Tagged = z.object({ owner: z.string().min(1), copies: z.coerce.number().int() });
const TAGGED_HEADERS = { owner: 'Test-Owner', copies: 'Test-Copies' } as const;
const Reply = z.object({ text: z.string() });
const Repeat = z.object({ bytes: z.number().int() });
const Busy = z.object({});
let busyRequests = 0;

@Injectable()
class Handlers {
  @NatsRequestHandler({ subject: 'test.sum', queue: 'test', schema: Sum })
  async sum(request: z.infer<typeof Sum>): Promise<{ text: string }> {
    return { text: String(request.a + request.b) };
  }

  @NatsRequestHandler({
    subject: 'test.tagged',
    queue: 'test',
    schema: Tagged,
    headers: TAGGED_HEADERS,
  })
  async tagged(
    request: z.infer<typeof Tagged>,
    context: RequestContext,
  ): Promise<{ text: string }> {
    const body = new TextDecoder().decode(context.data);
    return { text: `${request.owner}:${body.repeat(request.copies)}:${context.bytes}` };
  }

  /** A member whose share is full: it refuses every request at once. */
  @NatsRequestHandler({ subject: 'test.busy', queue: 'test', schema: Busy })
  async busy(): Promise<{ text: string }> {
    busyRequests += 1;
    return { text: 'busy' };
  }

  @NatsRequestHandler({ subject: 'test.repeat', queue: 'test', schema: Repeat })
  async repeat(request: z.infer<typeof Repeat>): Promise<{ text: string }> {
    return { text: 'x'.repeat(request.bytes) };
  }
}

describe('@NatsRequestHandler and NatsRequester on a real nats-server', () => {
  let server: NatsServerHandle;
  let app: INestApplicationContext;
  let requester: NatsRequester;

  before(async () => {
    server = await startNatsServer();
    @Module({
      imports: [
        NatsModule.forRootAsync({ useFactory: () => ({ servers: [server.url], name: 'test' }) }),
      ],
      providers: [Handlers],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
    requester = app.get(NatsRequester);
  });

  after(async () => {
    await app.close();
    await server.stop();
  });

  const options = { timeoutMs: 2_000 };

  it('answers a JSON request checked against its contract', async () => {
    const reply = await requester.request('test.sum', { a: 2, b: 3 }, Reply, options);
    assert.deepEqual(reply, { text: '5' });
    await assert.rejects(
      requester.request('test.sum', { a: 'two' }, Reply, options),
      (err) => err instanceof RemoteRequestError && err.kind === 'bad-request',
    );
  });

  it('reads the contract from headers and hands the bytes over unparsed', async () => {
    const headers = { 'Test-Owner': 'acme', 'Test-Copies': '2' };
    const reply = await requester.requestEncoded('test.tagged', 'not json', Reply, {
      ...options,
      headers,
    });
    assert.deepEqual(reply, { text: 'acme:not jsonnot json:8' });
    await assert.rejects(
      requester.requestEncoded('test.tagged', 'x', Reply, {
        ...options,
        headers: { 'Test-Copies': '1' },
      }),
      (err) => err instanceof RemoteRequestError && err.kind === 'bad-request',
      'a missing header field is a bad request',
    );
  });

  it('refuses a reply over max_payload with its own kind instead of failing the handler', async () => {
    const fits = await requester.request('test.repeat', { bytes: 1_000 }, Reply, options);
    assert.equal(fits.text.length, 1_000);
    // NOTE: nats-server's default max_payload is 1 MiB.
    await assert.rejects(
      requester.request('test.repeat', { bytes: 2 * 1024 * 1024 }, Reply, options),
      (err) => err instanceof RemoteRequestError && err.kind === 'reply-too-large',
    );
  });

  it('sends a reply over max_payload in parts to a requester that reassembles them', async () => {
    const bytes = 3 * 1024 * 1024 + 7;
    const reply = await requester.request('test.repeat', { bytes }, Reply, {
      ...options,
      largeReply: true,
    });
    assert.equal(reply.text, 'x'.repeat(bytes));
  });

  it('answers a refusal of the first attempt at once, without sending the request again', async () => {
    const reply = await requester.request('test.busy', {}, Reply, {
      timeoutMs: 5_000,
      retry: { attemptTimeoutMs: 50, isAnswer: (r) => r.text !== 'busy' },
    });
    assert.deepEqual(reply, { text: 'busy' });
    assert.equal(busyRequests, 1, 'the refused request was sent again');
  });
});
