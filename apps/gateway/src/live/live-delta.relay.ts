import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RollupDelta, SUBJECTS } from '@tally/contracts';
import { NatsConnection } from '@tally/nats';
import type { FastifyReply } from 'fastify';
import type { GatewayConfig } from '../config/gateway.config.js';

/** A client that cannot keep up is cut off (it may reconnect) rather than buffered without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Relays one project's rollup deltas (core NATS `SUBJECTS.live(projectId)`) to a browser as
 * Server-Sent Events: `event: delta` per message and a `: ping` comment every heartbeat interval.
 * Each stream owns one NATS subscription, dropped when the client goes away or the app stops.
 */
@Injectable()
export class LiveDeltaRelay implements OnModuleDestroy {
  private readonly logger = new Logger(LiveDeltaRelay.name);
  private readonly open = new Set<() => void>();

  constructor(
    private readonly nats: NatsConnection,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  get openStreams(): number {
    return this.open.size;
  }

  stream(projectId: string, reply: FastifyReply): void {
    // NOTE: hijack: from here on Fastify (and Nest) leave the response to us.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(': connected\n\n');

    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      subscription.unsubscribe();
      this.open.delete(close);
      if (!raw.writableEnded) raw.end();
    };
    const send = (chunk: string) => {
      if (closed) return;
      if (raw.writableLength > MAX_BUFFERED_BYTES) {
        this.logger.warn({ projectId }, 'live client too slow; closing its stream');
        close();
        return;
      }
      raw.write(chunk);
    };

    const subscription = this.nats.core.subscribe(SUBJECTS.live(projectId), {
      callback: (err, msg) => {
        if (err) {
          close();
          return;
        }
        const delta = RollupDelta.safeParse(parseJson(msg.string()));
        if (!delta.success) return;
        send(`event: delta\ndata: ${JSON.stringify(delta.data)}\n\n`);
      },
    });
    const heartbeat = setInterval(
      () => send(': ping\n\n'),
      this.config.get('live.heartbeatMs', { infer: true }),
    );
    this.open.add(close);
    // NOTE: the response's 'close' (not the request's) fires when the client goes away.
    raw.on('close', close);
  }

  onModuleDestroy(): void {
    for (const close of [...this.open]) close();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
