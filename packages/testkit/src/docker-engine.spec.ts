import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dockerEngineReachable } from './docker-engine.js';

describe('dockerEngineReachable', () => {
  const saved = process.env['DOCKER_HOST'];
  after(() => {
    if (saved === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = saved;
  });

  it('is true only when something answers the engine ping on DOCKER_HOST', async () => {
    const socketPath = join(mkdtempSync(join(tmpdir(), 'tally-docker-')), 'engine.sock');
    const engine = createServer((req, res) => {
      res.statusCode = req.url === '/_ping' ? 200 : 404;
      res.end('OK');
    });
    await new Promise<void>((resolve) => engine.listen(socketPath, resolve));
    try {
      process.env['DOCKER_HOST'] = `unix://${socketPath}`;
      assert.equal(await dockerEngineReachable(), true);
    } finally {
      await new Promise((resolve) => engine.close(resolve));
    }
    assert.equal(await dockerEngineReachable(), false, 'a socket nobody listens on');
    process.env['DOCKER_HOST'] = 'tcp://127.0.0.1:1';
    assert.equal(await dockerEngineReachable(), false, 'a closed TCP port');
  });
});
