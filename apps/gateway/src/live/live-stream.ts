import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { LiveSink } from './live-fan-out.js';
import type { StreamCloseReason } from './live-metrics.js';

/** A client that cannot keep up is cut off (it may reconnect) rather than buffered without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** The `retry:` hint is drawn from this range, so clients cut off together come back spread out. */
const RETRY_HINT_MS = { min: 1_000, max: 5_000 };
/** A lifetime ends somewhere in its last tenth, for the same reason. */
const LIFETIME_SPREAD = 0.1;

/** What the last comment of a stream says, where the server (not the client) ends it. */
const CLOSING_NOTES: Partial<Record<StreamCloseReason, string>> = {
  key_revoked: 'key revoked',
  max_lifetime: 'max lifetime reached',
  subscription_failed: 'live feed failed',
  shutdown: 'server shutting down',
};

export interface LiveStreamOptions {
  keyHash: string;
  projectId: string;
  maxLifetimeMs: number;
  onClose: (stream: LiveStream, reason: StreamCloseReason) => void;
}

/**
 * One client's `GET /v1/live` response, written by hand (Server-Sent Events). It ends when the
 * client leaves, when it falls too far behind, when its lifetime is up, or when the relay says.
 */
export class LiveStream implements LiveSink {
  readonly keyHash: string;
  readonly projectId: string;
  private closed = false;
  /** Nothing is written before the headers: a ping or delta that comes earlier is not sent. */
  private started = false;
  private readonly lifetime: NodeJS.Timeout;

  private constructor(
    private readonly raw: ServerResponse,
    private readonly options: LiveStreamOptions,
  ) {
    this.keyHash = options.keyHash;
    this.projectId = options.projectId;
    const lifetimeMs = options.maxLifetimeMs * (1 - LIFETIME_SPREAD * Math.random());
    this.lifetime = setTimeout(() => this.close('max_lifetime'), lifetimeMs);
    // NOTE: the response's 'close' (not the request's) fires when the client goes away.
    raw.on('close', () => this.close('client_left'));
  }

  /** Takes the response over from Fastify; `start` begins the event stream on it. */
  static open(reply: FastifyReply, options: LiveStreamOptions): LiveStream {
    // NOTE: hijack: from here on Fastify (and Nest) leave the response to us.
    reply.hijack();
    return new LiveStream(reply.raw, options);
  }

  /** Sends the headers and the first comment: from here on the client counts as connected. */
  start(): void {
    if (this.closed || this.started) return;
    this.started = true;
    const raw = this.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const retryMs =
      RETRY_HINT_MS.min + Math.floor(Math.random() * (RETRY_HINT_MS.max - RETRY_HINT_MS.min));
    raw.write(`retry: ${retryMs}\n: connected\n\n`);
  }

  /** The client went away before the stream was registered (its 'close' came too early). */
  get gone(): boolean {
    return this.raw.destroyed;
  }

  send(frame: Buffer): void {
    if (this.closed || !this.started) return;
    if (this.raw.writableLength > MAX_BUFFERED_BYTES) {
      this.close('slow_client');
      return;
    }
    this.raw.write(frame);
  }

  close(reason: StreamCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.lifetime);
    // NOTE: a slow client's socket is destroyed, not ended: ending would wait for the megabyte
    // it has not read yet.
    if (reason === 'slow_client') this.raw.destroy();
    else if (!this.raw.writableEnded && !this.raw.destroyed) {
      const note = CLOSING_NOTES[reason];
      this.raw.end(note === undefined ? undefined : `: closing: ${note}\n\n`);
    }
    this.options.onClose(this, reason);
  }
}
