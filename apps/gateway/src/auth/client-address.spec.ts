import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { clientAddress } from './client-address.js';

const from = (remoteAddress: string | undefined) =>
  clientAddress({ socket: { remoteAddress } } as IncomingMessage);

describe('clientAddress', () => {
  it('counts an IPv4 peer, also when it arrives IPv4-mapped, by its address', () => {
    assert.equal(from('203.0.113.7'), '203.0.113.7');
    assert.equal(from('::ffff:203.0.113.7'), '203.0.113.7');
  });

  it('counts every address of an IPv6 /64 as one source', () => {
    const a = from('2001:db8:1:2:aaaa::1');
    assert.equal(a, '2001:db8:1:2::/64');
    assert.equal(from('2001:db8:1:2:ffff:ffff:ffff:ffff'), a);
    assert.notEqual(from('2001:db8:1:3::1'), a);
  });

  it('keeps an unknown peer as it is', () => {
    assert.equal(from(undefined), '');
  });
});
