import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-port.js';
import { isPortClash, NatsNode, type NatsServerHandle } from './nats-node.js';

export interface NatsServerOptions {
  /** Default true. */
  jetstream?: boolean;
  /** Client port; default a free loopback port. */
  port?: number;
}

const READY_TIMEOUT_MS = 20_000;
// Free ports are only free until someone else binds them; a clash is retried
// with fresh ports.
const ATTEMPTS = 3;

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const jetstream = opts.jetstream ?? true;
  for (let attempt = 1; ; attempt++) {
    const [picked, monitorPort] = await freePorts(2);
    if (picked === undefined || monitorPort === undefined) throw new Error('no free ports');
    const dir = await mkdtemp(join(tmpdir(), 'tally-nats-'));
    try {
      return await NatsNode.start({
        dir,
        port: opts.port ?? picked,
        monitorPort,
        jetstream,
        readyTimeoutMs: READY_TIMEOUT_MS,
      });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (attempt < ATTEMPTS && isPortClash(err)) continue;
      throw err;
    }
  }
}
