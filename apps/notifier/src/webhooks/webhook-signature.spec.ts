import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signedHeaders } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = generateSecret();
  const body = JSON.stringify({ type: 'alert.firing', data: { value: 42 } });
  const ts = Math.floor(Date.now() / 1_000);
  const headers = signedHeaders(secret, 'msg_1', ts, body);

  it('match the documented algorithm: base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"', () => {
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`msg_1.${ts}.${body}`).digest('base64');
    assert.equal(headers['webhook-signature'], `v1,${expected}`);
    assert.equal(headers['webhook-timestamp'], String(ts));
    assert.equal(headers['webhook-id'], 'msg_1');
  });

  it('verify with the reference library, and fail for another body or secret', () => {
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(secret).verify(body.replace('42', '43'), headers));
    assert.throws(() => new Webhook(generateSecret()).verify(body, headers));
  });
});
