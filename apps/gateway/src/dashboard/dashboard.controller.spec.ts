import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNatsServer, type NatsServerHandle } from '@tally/testkit';
import {
  errorCode,
  startGateway,
  type GatewayUnderTest,
} from '../test-support/gateway-under-test.js';

describe('dashboard page and its files', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayUnderTest;

  before(async () => {
    nats = await startNatsServer();
    gateway = await startGateway(nats.url);
  });

  after(async () => {
    await gateway.close();
    await nats.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.base}${path}`, { headers, redirect: 'manual' });

  it('sends / to /dashboard', async () => {
    const res = await get('/');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/dashboard');
  });

  it('serves the page with a strict Content-Security-Policy', async () => {
    const res = await get('/dashboard');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(
      await res.text(),
      /<script type="module" src="\/dashboard\/assets\/dashboard.js">/,
    );
  });

  it('serves every file the page and its modules load, uPlot included', async () => {
    const html = await (await get('/dashboard')).text();
    const pending = [...html.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    const served = new Map<string, string>();
    while (pending.length > 0) {
      const path = pending.pop() as string;
      if (served.has(path)) continue;
      const res = await get(path);
      assert.equal(res.status, 200, `${path} answered ${res.status}`);
      served.set(path, res.headers.get('content-type') ?? '');
      const text = await res.text();
      if (!path.endsWith('.js')) continue;
      // Static imports of the browser modules, relative to the importing file.
      for (const m of text.matchAll(/\bfrom '(\.\/[^']+)'/g)) {
        pending.push(new URL(m[1] as string, `http://x${path}`).pathname);
      }
    }
    assert.equal(served.get('/dashboard/assets/uplot.esm.js'), 'text/javascript; charset=utf-8');
    assert.equal(served.get('/dashboard/assets/uplot.min.css'), 'text/css; charset=utf-8');
    assert.equal(served.get('/dashboard/assets/panels.js'), 'text/javascript; charset=utf-8');
    assert.equal(served.get('/dashboard/assets/favicon.svg'), 'image/svg+xml');
  });

  it('answers 304 to a copy the browser already has', async () => {
    const first = await get('/dashboard/assets/dashboard.js');
    const etag = first.headers.get('etag') ?? '';
    assert.match(etag, /^"[\w-]+"$/);
    const again = await get('/dashboard/assets/dashboard.js', { 'if-none-match': etag });
    assert.equal(again.status, 304);
  });

  it('answers 404 with the API error body for anything else', async () => {
    assert.equal(await errorCode(await get('/dashboard/assets/nope.js')), '404 not_found');
    assert.equal(
      await errorCode(await get('/dashboard/assets/..%2F..%2Fpackage.json')),
      '404 not_found',
    );
  });
});
