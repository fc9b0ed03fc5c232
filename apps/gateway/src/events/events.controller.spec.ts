import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { INGEST_LIMITS, QUEUE_GROUPS, SUBJECTS, type IngestReply } from '@tally/contracts';
import { ERROR_HEADER } from '@tally/nats';
import { errorCode } from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import { readIngestRequest, storedEverything } from '../test-support/ingest-stand-in.js';

const WRITE = 'write_key_for_tests_0001';
const READ = 'read_key_for_tests_00001';

describe('POST /v1/events (gateway over real NATS)', () => {
  let setup: GatewayWithStandIns;
  let ingestReply: IngestReply | undefined;
  let ingestFails = false;
  const chunkSizes: number[] = [];

  // A stand-in ingest replica on the real broker, so the gateway's contract can be checked alone.
  const standInIngest = (peer: NatsConnection) =>
    peer.subscribe(SUBJECTS.ingestBatch, {
      queue: QUEUE_GROUPS.ingest,
      callback: (_err, msg) => {
        const request = readIngestRequest(msg);
        chunkSizes.push(msg.data.length);
        if (!request.body.ok) {
          msg.respond(JSON.stringify(storedEverything(request)));
        } else if (ingestFails) {
          const failed = headers();
          failed.set(ERROR_HEADER, 'handler-failed');
          msg.respond(JSON.stringify({ error: 'the handler failed' }), { headers: failed });
        } else if (ingestReply?.stored === true && ingestReply.rejected.length === 0) {
          // Echo mode: everything sent was accepted.
          msg.respond(JSON.stringify(storedEverything(request)));
        } else if (ingestReply) {
          msg.respond(JSON.stringify(ingestReply));
        }
      },
    });

  before(async () => {
    setup = await gatewayWithStandIns(
      {
        INGEST_TIMEOUT_MS: '500',
        TALLY_API_KEYS: JSON.stringify([
          { key: WRITE, projectId: 'p1', kind: 'write' },
          { key: READ, projectId: 'p1', kind: 'read' },
        ]),
      },
      standInIngest,
    );
  });

  after(() => setup.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${setup.gateway.base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE}`, 'content-type': 'application/json', ...headers },
      body,
    });

  const event = JSON.stringify({ type: 'click', userId: 'u' });

  it('answers 202 with the per-event outcome once ingest confirmed storage', async () => {
    ingestReply = {
      stored: true,
      accepted: 1,
      rejected: [{ index: 1, errors: [{ path: 'type', code: 'x', message: 'm' }] }],
    };
    const res = await post(`{"events":[${event},{"type":"hover"}]}`);
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 1, rejected: ingestReply.rejected });
  });

  it('answers 503 with Retry-After when storage is not confirmed, or ingest is silent or fails', async () => {
    ingestReply = { stored: false, reason: 'no ack' };
    const refused = await post(event);
    assert.equal(await errorCode(refused), '503 not_stored');
    assert.equal(refused.headers.get('retry-after'), '1');
    ingestReply = undefined;
    const silent = await post(event);
    assert.equal(await errorCode(silent), '503 not_stored');
    ingestFails = true;
    const failed = await post(event).finally(() => (ingestFails = false));
    assert.equal(await errorCode(failed), '503 not_stored');
    assert.equal(failed.headers.get('retry-after'), '1');
  });

  it('accepts a body close to 1 MiB by sending it to ingest in chunks NATS accepts', async () => {
    ingestReply = { stored: true, accepted: 0, rejected: [] };
    chunkSizes.length = 0;
    const fat = { type: 'custom', name: 'x', userId: 'u', properties: { pad: 'y'.repeat(30_000) } };
    const body = JSON.stringify({ events: new Array(33).fill(fat) });
    assert.ok(body.length > 990_000 && body.length < INGEST_LIMITS.maxBodyBytes);
    const res = await post(body);
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 33, rejected: [] });
    assert.ok(chunkSizes.length >= 2 && Math.max(...chunkSizes) < 1024 * 1024, String(chunkSizes));
  });

  it('refuses missing, unknown and read keys', async () => {
    assert.equal(await errorCode(await post(event, { authorization: '' })), '401 missing_key');
    assert.equal(
      await errorCode(await post(event, { authorization: 'Bearer nope' })),
      '401 invalid_key',
    );
    assert.equal(
      await errorCode(await post(event, { authorization: `Bearer ${READ}` })),
      '403 wrong_key_kind',
    );
  });

  it('gives machine-readable 4xx errors for bad bodies', async () => {
    assert.equal(await errorCode(await post('{"events": [')), '400 malformed_json');
    assert.equal(await errorCode(await post('[]')), '400 invalid_body');
    assert.equal(await errorCode(await post('{"events": []}')), '400 invalid_body');
    const tooMany = JSON.stringify({
      events: new Array(INGEST_LIMITS.maxEventsPerBatch + 1).fill({}),
    });
    assert.equal(await errorCode(await post(tooMany)), '400 too_many_events');
    const huge = JSON.stringify({ events: [{ blob: 'x'.repeat(INGEST_LIMITS.maxBodyBytes) }] });
    assert.equal(await errorCode(await post(huge)), '413 body_too_large');
    assert.equal(
      await errorCode(await post('<a/>', { 'content-type': 'application/xml' })),
      '415 unsupported_media_type',
    );
  });
});
