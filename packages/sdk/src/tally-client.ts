import { deliverBatch, type DeliveryOptions, type DeliveryOutcome } from './batch-delivery.js';
import { SDK_LIMITS } from './limits.js';
import { prepareEvent } from './prepare-event.js';
import type { QueuedEvent, TallyError, TallyOptions, TrackInput } from './sdk-types.js';

const DEFAULTS = {
  flushAt: 100,
  flushIntervalMs: 1000,
  maxRetries: 10,
  maxQueueSize: 10_000,
  maxConcurrentRequests: 1,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  requestTimeoutMs: 10_000,
} as const;

/** Room left in a request body for `{"events":[…],"sentAt":"…"}` around the events. */
const ENVELOPE_BYTES = 1024;

interface Batch {
  events: QueuedEvent[];
  done: Promise<void>;
  settle: () => void;
}

/**
 * Tally's client: `track()` queues, batches go out by size (`flushAt`) or by time
 * (`flushIntervalMs`), retries resend the very same batch. See README, "SDK".
 */
export class Tally {
  private readonly opts: Required<
    Omit<TallyOptions, 'onError' | 'onRejected' | 'onRetry' | 'onBatch' | 'fetch'>
  >;
  private readonly delivery: DeliveryOptions;
  private pending: QueuedEvent[] = [];
  private pendingBytes = 0;
  private readonly ready: Batch[] = [];
  private readonly inFlight = new Set<Batch>();
  /** Events queued or in flight: what `maxQueueSize` bounds. */
  private held = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: TallyOptions) {
    if (!options.endpoint) throw new TypeError('Tally: endpoint is required');
    if (!options.writeKey) throw new TypeError('Tally: writeKey is required');
    this.opts = {
      endpoint: options.endpoint,
      writeKey: options.writeKey,
      flushAt: bounded(
        'flushAt',
        options.flushAt ?? DEFAULTS.flushAt,
        1,
        SDK_LIMITS.maxEventsPerBatch,
      ),
      flushIntervalMs: bounded(
        'flushIntervalMs',
        options.flushIntervalMs ?? DEFAULTS.flushIntervalMs,
        0,
      ),
      maxRetries: bounded('maxRetries', options.maxRetries ?? DEFAULTS.maxRetries, 0),
      maxQueueSize: bounded('maxQueueSize', options.maxQueueSize ?? DEFAULTS.maxQueueSize, 1),
      maxConcurrentRequests: bounded(
        'maxConcurrentRequests',
        options.maxConcurrentRequests ?? DEFAULTS.maxConcurrentRequests,
        1,
      ),
      retryBaseMs: bounded('retryBaseMs', options.retryBaseMs ?? DEFAULTS.retryBaseMs, 0),
      retryMaxMs: bounded('retryMaxMs', options.retryMaxMs ?? DEFAULTS.retryMaxMs, 0),
      requestTimeoutMs: bounded(
        'requestTimeoutMs',
        options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
        1,
      ),
    };
    this.delivery = {
      // NOTE: appended, not resolved: an endpoint may carry a path prefix behind a proxy.
      url: `${this.opts.endpoint.replace(/\/+$/, '')}/v1/events`,
      writeKey: this.opts.writeKey,
      maxRetries: this.opts.maxRetries,
      backoff: { baseMs: this.opts.retryBaseMs, maxMs: this.opts.retryMaxMs },
      requestTimeoutMs: this.opts.requestTimeoutMs,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      onRetry: (retry) => this.notify(() => this.options.onRetry?.(retry)),
    };
  }

  /**
   * Queues one event; returns its id, or undefined when it was not queued (reported through
   * `onError`: invalid, queue full, or after `shutdown()`).
   */
  track(input: TrackInput): string | undefined {
    if (this.closed) {
      return this.refuse({ kind: 'closed', message: 'track() after shutdown()', event: input });
    }
    const prepared = prepareEvent(input);
    if (!prepared.ok) {
      return this.refuse({ kind: 'invalid_event', message: prepared.message, event: input });
    }
    if (this.held >= this.opts.maxQueueSize) {
      return this.refuse({
        kind: 'overflow',
        message: `queue full (${this.opts.maxQueueSize} events waiting for acknowledgement)`,
        event: input,
      });
    }
    const budget = SDK_LIMITS.maxBodyBytes - ENVELOPE_BYTES;
    if (this.pendingBytes + prepared.bytes + this.pending.length + 1 > budget) this.cut();
    this.pending.push(prepared.event);
    this.pendingBytes += prepared.bytes;
    this.held++;
    if (this.pending.length >= this.opts.flushAt) this.cut();
    else this.armTimer();
    this.pump();
    return prepared.event.id;
  }

  /** Sends what is queued now; resolves once all of it is acknowledged, refused or given up on. */
  async flush(): Promise<void> {
    this.cut();
    this.pump();
    await Promise.all([...this.ready, ...this.inFlight].map((batch) => batch.done));
  }

  /** Flushes, then stops the timer; later `track()` calls are reported as `closed`. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await this.flush();
    this.clearTimer();
  }

  /** Events queued or in flight. */
  get queueSize(): number {
    return this.held;
  }

  private cut(): void {
    this.clearTimer();
    if (this.pending.length === 0) return;
    let settle: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.ready.push({ events: this.pending, done, settle });
    this.pending = [];
    this.pendingBytes = 0;
  }

  private pump(): void {
    while (this.inFlight.size < this.opts.maxConcurrentRequests) {
      const batch = this.ready.shift();
      if (batch === undefined) return;
      this.inFlight.add(batch);
      void this.send(batch);
    }
  }

  private async send(batch: Batch): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliverBatch(batch.events, this.delivery);
    } catch (err) {
      outcome = {
        kind: 'gave_up',
        message: err instanceof Error ? err.message : String(err),
        attempts: 1,
      };
    }
    this.held -= batch.events.length;
    this.inFlight.delete(batch);
    this.report(batch.events, outcome);
    batch.settle();
    this.pump();
  }

  private report(events: QueuedEvent[], outcome: DeliveryOutcome): void {
    const { onBatch, onRejected, onError } = this.options;
    const base = { events: events.length, attempts: outcome.attempts };
    switch (outcome.kind) {
      case 'acknowledged':
        if (outcome.rejections.length > 0) this.notify(() => onRejected?.(outcome.rejections));
        this.notify(() =>
          onBatch?.({
            ...base,
            accepted: outcome.accepted,
            rejected: outcome.rejections.length,
            outcome: 'acknowledged',
          }),
        );
        return;
      case 'refused':
        this.notify(() =>
          onError?.({
            kind: 'refused',
            status: outcome.status,
            code: outcome.code,
            message: outcome.message,
            events,
          }),
        );
        this.notify(() => onBatch?.({ ...base, accepted: 0, rejected: 0, outcome: 'refused' }));
        return;
      case 'gave_up':
        this.notify(() =>
          onError?.({
            kind: 'gave_up',
            attempts: outcome.attempts,
            message: outcome.message,
            events,
          }),
        );
        this.notify(() => onBatch?.({ ...base, accepted: 0, rejected: 0, outcome: 'gave_up' }));
        return;
    }
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.pending.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.cut();
      this.pump();
    }, this.opts.flushIntervalMs);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private refuse(error: TallyError): undefined {
    this.notify(() => this.options.onError?.(error));
    return undefined;
  }

  /** A throwing callback must not break delivery for everyone else. */
  private notify(call: () => void): void {
    try {
      call();
    } catch {
      // The application's own callback failed; nothing the SDK can do about it.
    }
  }
}

function bounded(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`Tally: ${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}
