import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register } from 'prom-client';
import { AddressPolicy, DestinationRefusedError, type Resolver } from './address-policy.js';

const fakeDns: Resolver = (host) => {
  const table: Record<string, string[]> = {
    'public.example': ['93.184.215.14'],
    'sneaky.example': ['93.184.215.14', '10.1.2.3'],
    'local.example': ['127.0.0.1'],
    'compat.example': ['::a9fe:a9fe'],
  };
  const found = table[host];
  return found
    ? Promise.resolve(found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))
    : Promise.reject(new Error('ENOTFOUND'));
};

const WEB = [80, 443];

async function refusedFor(reason: string): Promise<number> {
  const metric = register.getSingleMetric('tally_notifier_destinations_refused_total');
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('AddressPolicy', () => {
  const strict = new AddressPolicy({ allowCidrs: [], ports: WEB }, fakeDns);

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
      '192.0.0.192',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      'fec0::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '224.0.0.1',
    ]) {
      assert.ok(strict.refusal(ip), `${ip} should be refused`);
    }
    for (const ip of ['93.184.215.14', '100.128.0.1', '2606:4700::1111']) {
      assert.equal(strict.refusal(ip), undefined, `${ip} should be allowed`);
    }
  });

  // Issue 12, finding 8: these passed as `unicast`.
  it('refuses IPv4-compatible IPv6 (::/96) and the rest of ::/8', () => {
    for (const ip of [
      '::a9fe:a9fe',
      '::7f00:1',
      '::a00:1',
      '::5db8:d70e',
      '::1:0:0:1',
      '1::',
      'ff::1',
    ]) {
      assert.match(strict.refusal(ip) ?? '', /not a global unicast address/, ip);
    }
  });

  it('judges IPv4-mapped and NAT64 addresses by the IPv4 address they reach', () => {
    for (const ip of [
      '::ffff:a9fe:a9fe',
      '::ffff:10.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::7f00:1',
    ]) {
      assert.match(strict.refusal(ip) ?? '', /embeds \d+\.\d+\.\d+\.\d+, a \w+ address/, ip);
    }
    assert.equal(strict.refusal('::ffff:93.184.215.14'), undefined);
    assert.equal(strict.refusal('64:ff9b::5db8:d70e'), undefined);
    // The local-use NAT64 prefix is a network of its own, not a way to the public internet.
    assert.ok(strict.refusal('64:ff9b:1::a00:1'));
  });

  it('refuses 6to4, Teredo and other special ranges inside 2000::/3', () => {
    for (const [ip, range] of [
      ['2002:a9fe:a9fe::', '6to4'],
      ['2002:5db8:d70e::1', '6to4'],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
      ['2001:db8::1', 'reserved'],
    ] as const) {
      assert.match(strict.refusal(ip) ?? '', new RegExp(`is a ${range} address`), ip);
    }
  });

  it('lets the configured allow-list through, and nothing else', () => {
    const dev = new AddressPolicy({ allowCidrs: ['127.0.0.1/32'], ports: WEB }, fakeDns);
    assert.equal(dev.refusal('127.0.0.1'), undefined);
    assert.equal(dev.refusal('::ffff:127.0.0.1'), undefined);
    assert.ok(dev.refusal('127.0.0.2'));
    assert.ok(dev.refusal('10.0.0.1'));
    assert.ok(dev.refusal('::7f00:1'), 'an IPv4-compatible spelling is not the allowed address');
  });

  it('checks every resolved address and returns the one to connect to', async () => {
    assert.deepEqual(await strict.check('https://public.example/hook'), {
      address: '93.184.215.14',
      family: 4,
    });
    await assert.rejects(strict.check('https://sneaky.example/hook'), /10\.1\.2\.3 is a private/);
    await assert.rejects(strict.check('http://local.example/'), DestinationRefusedError);
    await assert.rejects(strict.check('http://[::1]/'), /loopback/);
    await assert.rejects(strict.check('http://169.254.169.254/latest'), /linkLocal/);
    await assert.rejects(strict.check('ftp://public.example/'), /scheme/);
    await assert.rejects(strict.check('https://nowhere.example/'), /cannot resolve/);
  });

  it('refuses the hostile URLs of the issue, as written and through DNS', async () => {
    for (const url of [
      'http://[::a9fe:a9fe]/',
      'http://[::169.254.169.254]/latest/meta-data/',
      'http://[::7f00:1]/',
      'http://[::a00:1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[2002:a9fe:a9fe::1]/',
      'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
      'https://compat.example/',
    ]) {
      await assert.rejects(strict.check(url), DestinationRefusedError, url);
    }
  });

  it('refuses ports outside WEBHOOK_ALLOWED_PORTS, except for allow-listed networks', async () => {
    const before = await refusedFor('port');
    await assert.rejects(strict.check('http://public.example:22/'), /port 22 refused/);
    assert.equal(await refusedFor('port'), before + 1, 'counted by reason');
    await assert.rejects(strict.check('https://public.example:6379/'), /port 6379 refused/);
    assert.ok(await strict.check('http://public.example:80/'));
    assert.ok(await strict.check('https://public.example/'));
    const dev = new AddressPolicy({ allowCidrs: ['127.0.0.1/32'], ports: [8443] }, fakeDns);
    assert.ok(await dev.check('https://public.example:8443/'));
    await assert.rejects(dev.check('https://public.example/'), /port 443 refused/);
    assert.ok(await dev.check('http://local.example:3999/'), 'a local receiver on any port');
  });
});
