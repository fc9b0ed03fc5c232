import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressPolicy, DestinationRefusedError, type Resolver } from './address-policy.js';

const fakeDns: Resolver = (host) => {
  const table: Record<string, string[]> = {
    'public.example': ['93.184.215.14'],
    'sneaky.example': ['93.184.215.14', '10.1.2.3'],
    'local.example': ['127.0.0.1'],
  };
  const found = table[host];
  return found
    ? Promise.resolve(found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))
    : Promise.reject(new Error('ENOTFOUND'));
};

describe('AddressPolicy', () => {
  const strict = new AddressPolicy([], fakeDns);

  it('refuses private, loopback, link-local, CGNAT, metadata and mapped addresses', () => {
    for (const ip of [
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '127.0.0.1',
      '0.0.0.0',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.254',
      '::1',
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '224.0.0.1',
    ]) {
      assert.ok(strict.refusal(ip), `${ip} should be refused`);
    }
    for (const ip of ['93.184.215.14', '100.128.0.1', '2606:4700::1111']) {
      assert.equal(strict.refusal(ip), undefined, `${ip} should be allowed`);
    }
  });

  it('lets the configured allow-list through, and nothing else', () => {
    const dev = new AddressPolicy(['127.0.0.1/32'], fakeDns);
    assert.equal(dev.refusal('127.0.0.1'), undefined);
    assert.ok(dev.refusal('127.0.0.2'));
    assert.ok(dev.refusal('10.0.0.1'));
  });

  it('checks every resolved address and returns the one to connect to', async () => {
    assert.deepEqual(await strict.check('https://public.example/hook'), {
      address: '93.184.215.14',
      family: 4,
    });
    await assert.rejects(strict.check('https://sneaky.example/hook'), /10\.1\.2\.3 is a private/);
    await assert.rejects(strict.check('http://local.example:8080/'), DestinationRefusedError);
    await assert.rejects(strict.check('http://[::1]:8080/'), /loopback/);
    await assert.rejects(strict.check('http://169.254.169.254/latest'), /linkLocal/);
    await assert.rejects(strict.check('ftp://public.example/'), /scheme/);
    await assert.rejects(strict.check('https://nowhere.example/'), /cannot resolve/);
  });
});
