import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tally/testkit';
import { TEST_ADMIN_TOKEN } from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import { openSocket } from '../test-support/raw-http.js';

const READ = 'read_key_for_tests_00001';
const KEYS = JSON.stringify([{ key: READ, projectId: 'p1', kind: 'read' }]);

/** Every byte the server sends on `socket` until it closes the connection. */
function everythingSent(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.once('close', () => resolve(received));
  });
}

/** The last response of several sent on one connection: status, headers, body. */
function lastResponse(sent: string) {
  const start = sent.lastIndexOf('HTTP/1.1 ');
  const [head = '', body = ''] = sent.slice(start).split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

describe('a request that reaches a gateway that is shutting down (issue 12: 3)', () => {
  let setup: GatewayWithStandIns;
  let closing: Promise<void> | undefined;

  before(async () => {
    setup = await gatewayWithStandIns({ TALLY_API_KEYS: KEYS });
  });
  after(async () => {
    await (closing ?? setup.gateway.close());
    await setup.peer.close();
    await setup.nats.stop();
  });

  it(
    'gets 503 shutting_down in the API error shape, with Retry-After',
    { timeout: 20_000 },
    async () => {
      const socket = await openSocket(setup.gateway.base);
      const sent = everythingSent(socket);
      // A request whose body is still coming keeps its connection open through the shutdown.
      const body = '{"name":"late"}';
      socket.write(
        `POST /v1/admin/projects HTTP/1.1\r\nHost: gateway\r\n` +
          `Authorization: Bearer ${TEST_ADMIN_TOKEN}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
      );
      const server: Server = setup.gateway.app.getHttpServer();
      closing = setup.gateway.close();
      await waitFor(async () => !server.listening, {
        timeoutMs: 10_000,
        what: 'the server closing',
      });
      // The rest of the body, and a second request on the same connection while shutting down.
      socket.write(
        `${body.slice(5)}GET /v1/metrics?metric=events HTTP/1.1\r\nHost: gateway\r\n` +
          `Authorization: Bearer ${READ}\r\n\r\n`,
      );
      const response = lastResponse(await sent);
      assert.equal(response.status, 503, response.body);
      const answer = JSON.parse(response.body) as { error: { code: string; message: string } };
      assert.deepEqual(Object.keys(answer), ['error'], response.body);
      assert.equal(answer.error.code, 'shutting_down', response.body);
      assert.equal(typeof answer.error.message, 'string');
      assert.equal(response.headers['retry-after'], '1');
      assert.equal(response.headers.connection, 'close');
    },
  );
});
