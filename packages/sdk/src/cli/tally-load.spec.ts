import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { runNodeScript } from '@tally/testkit';
import { FakeGateway } from '../testing/fake-gateway.js';

const CLI = fileURLToPath(new URL('./tally-load.js', import.meta.url));

const runCli = (args: string[]) => runNodeScript(CLI, args);

describe('tally-load', () => {
  let gateway: FakeGateway;
  before(async () => {
    gateway = await new FakeGateway().start();
  });
  after(async () => {
    await gateway.stop();
  });

  test('sends rate × duration events of the asked types and exits 0 when all are acknowledged', async () => {
    gateway.requests.length = 0;
    const args = [
      '--endpoint',
      gateway.url,
      '--write-key',
      'k',
      '--rate',
      '400',
      '--duration',
      '1',
    ];
    const result = await runCli([...args, '--types', 'purchase,login', '--users', '5']);
    assert.equal(result.code, 0, result.stderr);
    const events = gateway.requests.flatMap((r) => r.events);
    assert.equal(events.length, 400);
    assert.equal(new Set(events.map((e) => e.id)).size, 400);
    assert.deepEqual(new Set(events.map((e) => e.type)), new Set(['purchase', 'login']));
    assert.ok(new Set(events.map((e) => e.userId)).size <= 5);
    assert.match(result.stdout, /acknowledged 400 /);
    assert.match(result.stdout, /lost {9}0/);
  });

  test('exits 1 and says how many were lost when the gateway refuses the batches', async () => {
    gateway.otherwise({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'bad key' } },
    });
    const args = [
      '--endpoint',
      gateway.url,
      '--write-key',
      'k',
      '--rate',
      '200',
      '--duration',
      '0.5',
    ];
    const result = await runCli(args);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /LOST {9}100/);
    assert.match(result.stdout, /first refused: bad key/);
  });

  test('exits 2 with the usage on a bad command line', async () => {
    const result = await runCli(['--endpoint', gateway.url]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--write-key is required/);
  });
});
