import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AddressPolicy } from './address-policy.js';
import { sendWebhook } from './webhook-sender.js';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

describe('sendWebhook against a local receiver', () => {
  let server: Server;
  let base: string;
  let port: number;
  const seen: { path: string; host: string | undefined }[] = [];
  const routes: Record<string, Route> = {
    '/ok': (_req, res) => res.writeHead(204).end(),
    '/big': (_req, res) => res.writeHead(200).end('x'.repeat(10_000)),
    '/redirect': (_req, res) => res.writeHead(302, { location: '/ok' }).end(),
    '/busy': (_req, res) => res.writeHead(503, { 'retry-after': '7' }).end('busy'),
    '/hang': () => undefined,
  };
  const allowLocal = new AddressPolicy({ allowCidrs: ['127.0.0.1/32'], ports: [443] }, (host) =>
    host === 'hooks.test'
      ? Promise.resolve([{ address: '127.0.0.1', family: 4 as const }])
      : Promise.reject(new Error('ENOTFOUND')),
  );
  const send = (url: string, policy = allowLocal, timeoutMs = 2_000) =>
    sendWebhook(policy, { url, headers: {}, body: '{}', timeoutMs, responseCap: 1024 });

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      seen.push({ path: req.url ?? '', host: req.headers.host });
      (routes[req.url ?? ''] ?? ((_q, s) => s.writeHead(404).end()))(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('treats only 2xx as success and caps the stored response body', async () => {
    assert.equal((await send(`${base}/ok`)).ok, true);
    const big = await send(`${base}/big`);
    assert.equal(big.ok, true);
    assert.equal(big.responseExcerpt?.length, 1024);
  });

  it('does not follow redirects and passes Retry-After on', async () => {
    const before = seen.length;
    const redirect = await send(`${base}/redirect`);
    assert.deepEqual([redirect.ok, redirect.statusCode, redirect.error], [false, 302, 'HTTP 302']);
    assert.equal(seen.length, before + 1, 'the redirect target must not be requested');
    const busy = await send(`${base}/busy`);
    assert.deepEqual([busy.ok, busy.retryAfter], [false, '7']);
  });

  it('times out a receiver that hangs', async () => {
    const hung = await send(`${base}/hang`, allowLocal, 300);
    assert.equal(hung.ok, false);
    assert.match(hung.error ?? '', /timed out after 300 ms/);
  });

  it('connects to the address it checked, keeping the host name', async () => {
    const pinned = await send(`http://hooks.test:${port}/ok`);
    assert.equal(pinned.ok, true);
    assert.equal(seen.at(-1)?.host, `hooks.test:${port}`);
  });

  it('refuses a loopback destination at delivery time without the allow-list', async () => {
    const before = seen.length;
    const refused = await send(`${base}/ok`, new AddressPolicy({ allowCidrs: [], ports: [port] }));
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? '', /loopback/);
    assert.equal(seen.length, before, 'nothing may reach the receiver');
  });

  // Issue 12, finding 8: IPv6 spellings of this loopback receiver passed the policy.
  it('refuses IPv6 forms that embed the loopback address at delivery time', async () => {
    const before = seen.length;
    const strict = new AddressPolicy({ allowCidrs: [], ports: [port] });
    for (const host of ['[::7f00:1]', '[::ffff:7f00:1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::]']) {
      const refused = await send(`http://${host}:${port}/ok`, strict);
      assert.equal(refused.ok, false);
      assert.equal(refused.statusCode, null);
      assert.match(refused.error ?? '', /refused: /, host);
    }
    assert.equal(seen.length, before, 'nothing may reach the receiver');
  });
});
