import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SUBJECTS } from '@tally/contracts';
import { NatsConnection } from '@tally/nats';
import type { FastifyReply } from 'fastify';
import type { ValidGrant } from '../auth/api-keys.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../http/api-error.js';
import { ProjectRegistry } from '../projects/project-registry.js';
import { LiveFanOut } from './live-fan-out.js';
import {
  closedLiveStreams,
  openLiveStreams,
  refusedLiveStreams,
  type StreamCloseReason,
  type StreamRefusal,
} from './live-metrics.js';
import { LiveStream } from './live-stream.js';
import { LiveStreamQuota } from './live-stream-quota.js';

const PING = Buffer.from(': ping\n\n');

/**
 * Relays each project's rollup deltas (core NATS `SUBJECTS.live(projectId)`) to browsers as
 * Server-Sent Events: `event: delta` per message and a `: ping` comment every heartbeat interval.
 * A replica holds one NATS subscription per followed project (see `LiveFanOut`), caps open
 * streams per key and in all, ends each stream after its maximum lifetime, and ends a key's
 * streams as soon as the key is revoked on any replica.
 */
@Injectable()
export class LiveDeltaRelay implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveDeltaRelay.name);
  private readonly streams = new Set<LiveStream>();
  private readonly quota: LiveStreamQuota;
  private readonly fanOut: LiveFanOut;
  private heartbeat?: NodeJS.Timeout;
  private stopWatchingRevocations?: () => void;

  constructor(
    private readonly nats: NatsConnection,
    private readonly config: ConfigService<GatewayConfig, true>,
    private readonly registry: ProjectRegistry,
  ) {
    this.quota = new LiveStreamQuota(config.get('live', { infer: true }));
    this.fanOut = new LiveFanOut((projectId, deliver, failed) => {
      const subscription = nats.core.subscribe(SUBJECTS.live(projectId), {
        callback: (err, msg) => {
          if (!err) return deliver(msg.string());
          this.logger.error({ err, projectId }, 'live subscription failed; closing its streams');
          failed();
        },
      });
      return () => subscription.unsubscribe();
    });
  }

  onModuleInit(): void {
    const everyMs = this.config.get('live.heartbeatMs', { infer: true });
    this.heartbeat = setInterval(() => this.ping(), everyMs);
    this.stopWatchingRevocations = this.registry.onKeyRevoked((keyHash) => this.endKey(keyHash));
  }

  /** Streams `grant`'s project to `reply`; `429 too_many_streams` when a limit is full. */
  async stream(grant: ValidGrant, reply: FastifyReply): Promise<void> {
    const refusal = this.quota.take(grant.keyHash);
    if (refusal) {
      refusedLiveStreams.inc({ reason: refusal });
      throw this.refused(refusal);
    }
    const stream = LiveStream.open(reply, {
      keyHash: grant.keyHash,
      projectId: grant.projectId,
      maxLifetimeMs: this.config.get('live.maxStreamLifetimeMs', { infer: true }),
      onClose: (closed, reason) => this.forget(closed, reason),
    });
    this.streams.add(stream);
    openLiveStreams.inc();
    if (stream.gone) return stream.close('client_left');
    try {
      this.fanOut.add(grant.projectId, stream);
      // NOTE: the project's subscription must be registered at the server before the client is
      // told it is connected, or a delta published right after would pass it by.
      await this.nats.core.flush();
      stream.start();
    } catch (err) {
      // NOTE: the response is already ours (hijacked): the error cannot become a 5xx any more.
      this.logger.error({ err, projectId: grant.projectId }, 'cannot follow live deltas');
      stream.close('subscription_failed');
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    this.stopWatchingRevocations?.();
    for (const stream of [...this.streams]) stream.close('shutdown');
  }

  private ping(): void {
    for (const stream of this.streams) stream.send(PING);
  }

  private endKey(keyHash: string): void {
    for (const stream of [...this.streams]) {
      if (stream.keyHash === keyHash) stream.close('key_revoked');
    }
  }

  private forget(stream: LiveStream, reason: StreamCloseReason): void {
    if (!this.streams.delete(stream)) return;
    this.fanOut.remove(stream.projectId, stream);
    this.quota.release(stream.keyHash);
    openLiveStreams.dec();
    closedLiveStreams.inc({ reason });
    if (reason === 'slow_client') {
      this.logger.warn({ projectId: stream.projectId }, 'live client too slow; closed its stream');
    }
  }

  private refused(refusal: StreamRefusal): ApiError {
    const { maxStreams, maxStreamsPerKey } = this.quota.limits;
    const seconds = this.config.get('retryAfterSeconds', { infer: true });
    const [message, detail] =
      refusal === 'key_limit'
        ? [
            `this key already has ${maxStreamsPerKey} open streams on this server`,
            { message: 'close one of its streams first', scope: 'key', limit: maxStreamsPerKey },
          ]
        : [
            `this server holds its limit of ${maxStreams} open streams`,
            { message: `retry in ${seconds} s`, scope: 'replica', limit: maxStreams },
          ];
    return new ApiError(429, 'too_many_streams', message, [detail], {
      'Retry-After': String(seconds),
    });
  }
}
