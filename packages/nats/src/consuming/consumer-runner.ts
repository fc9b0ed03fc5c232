import { Logger } from '@nestjs/common';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { Counter } from 'prom-client';
import type { NatsConnection } from '../connection/nats-connection.js';
import type { ConsumerDefaults } from '../nats.options.js';
import type { JetStreamProvisioner } from '../provisioning/jetstream-provisioner.js';
import { TRACEPARENT_HEADER } from '../tracing/traceparent.js';
import { PoisonMessageError, type ConsumedBatch } from './consumed-batch.js';
import { CrashGuard } from './crash-guard.js';
import type { DeadLetters } from './dead-letters.js';
import type { HandlingLog } from './handling-log.js';
import type { JetStreamConsumerSpec } from './jetstream-consumer.decorator.js';
import { MessageQueue } from './message-queue.js';
import { abortableDelay } from './abortable-delay.js';

const messagesTotal = new Counter({
  name: 'tally_jetstream_messages_total',
  help: 'Messages handled by JetStream consumers, by outcome',
  labelNames: ['consumer', 'outcome'] as const,
});

const retriesTotal = new Counter({
  name: 'tally_jetstream_retries_total',
  help: 'Batches an ordered consumer retried in place after a transient failure (its partition waits)',
  labelNames: ['consumer'] as const,
});

export interface ConsumerRunnerDeps {
  nats: NatsConnection;
  provisioner: JetStreamProvisioner;
  deadLetters: DeadLetters;
  handlingLog: HandlingLog;
  defaults: ConsumerDefaults;
}

export interface ConsumerInstance {
  durable: string;
  filterSubject: string;
  partition?: number;
}

interface Decoded {
  msg: JsMsg;
  data: unknown;
}

type Handler = (batch: ConsumedBatch<unknown>) => Promise<unknown>;

/**
 * Runs one durable pull consumer: takes whatever has arrived (up to a batch), decodes it, hands
 * it to the handler and acks only after the handler succeeded.
 */
export class ConsumerRunner {
  private readonly logger: Logger;
  /** Ordered consumers only: they retry in place, so deliveries do not bound their retries. */
  private readonly guard?: CrashGuard<Decoded>;

  constructor(
    private readonly deps: ConsumerRunnerDeps,
    private readonly spec: JetStreamConsumerSpec,
    private readonly handler: Handler,
    private readonly instance: ConsumerInstance,
  ) {
    this.logger = new Logger(`JetStreamConsumer:${instance.durable}`);
    if (spec.ordered) {
      const { handlingLog, defaults } = deps;
      this.guard = new CrashGuard(handlingLog, instance.durable, defaults.maxCrashes, seqOf);
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new MessageQueue<JsMsg>();
    const messages = await this.startConsuming(queue, signal);
    if (!messages) return;
    const stop = (): void => {
      messages.stop();
      queue.close();
    };
    signal.addEventListener('abort', stop, { once: true });
    this.logger.log({ partition: this.instance.partition }, 'consuming');
    try {
      for (;;) {
        const batch = await queue.take(this.deps.defaults.batchSize, this.deps.defaults.lingerMs);
        if (!batch) break;
        await this.process(batch, signal);
      }
    } finally {
      signal.removeEventListener('abort', stop);
      stop();
      handBack(queue);
      await this.stopGuard();
    }
  }

  private async stopGuard(): Promise<void> {
    try {
      await this.guard?.stop();
    } catch (err) {
      // NOTE: a mark left behind only makes the next owner handle those messages one by one.
      this.logger.warn({ err, partition: this.instance.partition }, 'handling mark not cleared');
    }
  }

  /**
   * Provisions the durable and opens its message flow into `queue`; `undefined` when `signal`
   * aborted meanwhile (a flow already opened is stopped again, and what it delivered nak'ed).
   * NOTE: the abort listener in run() is added only after these awaits, and an AbortSignal does
   * not replay an abort that happened before a listener was added: each await is followed by a
   * check, or a stop during start-up would leave the runner consuming forever (issue 12, #16).
   */
  private async startConsuming(
    queue: MessageQueue<JsMsg>,
    signal: AbortSignal,
  ): Promise<ConsumerMessages | undefined> {
    if (signal.aborted) return undefined;
    await this.provision();
    if (signal.aborted) return undefined;
    await this.guard?.start();
    if (signal.aborted) return undefined;
    const consumer = await this.deps.nats.js.consumers.get(this.spec.stream, this.instance.durable);
    if (signal.aborted) return undefined;
    const messages = await consumer.consume({
      max_messages: this.deps.defaults.batchSize * 2,
      callback: (msg) => queue.push(msg),
    });
    if (!signal.aborted) return messages;
    messages.stop();
    handBack(queue);
    return undefined;
  }

  private provision(): Promise<void> {
    return this.deps.provisioner.ensureConsumer({
      stream: this.spec.stream,
      durable: this.instance.durable,
      filterSubject: this.instance.filterSubject,
      ackWaitMs: this.deps.defaults.ackWaitMs,
      maxAckPending: this.deps.defaults.batchSize * 4,
    });
  }

  private async process(batch: JsMsg[], signal: AbortSignal): Promise<void> {
    const decoded: Decoded[] = [];
    const seen = new Set<number>();
    for (const msg of batch) {
      // A redelivered copy can arrive while its original still waits here; acking the original
      // settles both, so the copy is dropped instead of being handled twice.
      if (seen.has(msg.info.streamSequence)) continue;
      seen.add(msg.info.streamSequence);
      if (!this.guard && msg.info.deliveryCount > this.deps.defaults.maxDeliver) {
        await this.deadLetter(msg, `exceeded ${this.deps.defaults.maxDeliver} deliveries`);
        continue;
      }
      const parsed = this.decode(msg);
      if (parsed.ok) decoded.push({ msg, data: parsed.data });
      else await this.deadLetter(msg, `undecodable: ${parsed.reason}`);
    }
    if (decoded.length === 0) return;
    if (this.guard) await this.handleGuarded(this.guard, decoded, signal);
    else await this.handle(decoded, signal);
  }

  private async handleGuarded(
    guard: CrashGuard<Decoded>,
    items: Decoded[],
    signal: AbortSignal,
  ): Promise<void> {
    for (const step of guard.plan(items)) {
      if (step.kind === 'dead-letter') {
        const reason = `the process died ${step.crashes} times while handling it alone`;
        await this.deadLetter(step.item.msg, reason);
        continue;
      }
      await guard.mark(step.mark);
      await this.handle(step.items, signal);
    }
  }

  private decode(msg: JsMsg): { ok: true; data: unknown } | { ok: false; reason: string } {
    let json: unknown;
    try {
      json = msg.json();
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
    const result = this.spec.schema.safeParse(json);
    if (result.success) return { ok: true, data: result.data };
    return { ok: false, reason: result.error.issues.map((i) => i.message).join('; ') };
  }

  private async handle(items: Decoded[], signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handler(this.toBatch(items));
        for (const { msg } of items) msg.ack();
        messagesTotal.inc({ consumer: this.instance.durable, outcome: 'acked' }, items.length);
        return;
      } catch (err) {
        const poison = err instanceof PoisonMessageError;
        const transient = !poison && (this.spec.isTransient?.(err) ?? true);
        this.logger.warn({ err, attempt, size: items.length, transient }, 'batch failed');
        // NOTE: an error that fails the same way every time is not retried: backing off would
        // only stall the partition. The batch is split so that only the failing message goes.
        if (!transient && items.length > 1) return this.handleOneByOne(items, signal);
        if (!transient) return this.deadLetter((items[0] as Decoded).msg, errorText(err));
        if (!this.spec.ordered || signal.aborted) return this.nakAll(items, attempt);
        for (const { msg } of items) msg.working();
        retriesTotal.inc({ consumer: this.instance.durable });
        await abortableDelay(this.backoffMs(attempt), signal);
      }
    }
  }

  private async handleOneByOne(items: Decoded[], signal: AbortSignal): Promise<void> {
    for (const item of items) await this.handle([item], signal);
  }

  private nakAll(items: Decoded[], attempt: number): void {
    for (const { msg } of items) {
      msg.nak(this.backoffMs(Math.max(attempt, msg.info.deliveryCount)));
    }
    messagesTotal.inc({ consumer: this.instance.durable, outcome: 'nak' }, items.length);
  }

  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    await this.deps.deadLetters.record(msg, reason);
    messagesTotal.inc({ consumer: this.instance.durable, outcome: 'dead' });
  }

  /** Exponential backoff with full jitter, capped. */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.deps.defaults.maxBackoffMs, 100 * 2 ** attempt);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private toBatch(items: Decoded[]): ConsumedBatch<unknown> {
    return {
      consumer: this.instance.durable,
      partition: this.instance.partition,
      messages: items.map(({ msg, data }) => ({
        data,
        seq: msg.info.streamSequence,
        subject: msg.subject,
        deliveryCount: msg.info.deliveryCount,
        traceparent: msg.headers?.get(TRACEPARENT_HEADER) || undefined,
      })),
    };
  }
}

function seqOf(item: Decoded): number {
  return item.msg.info.streamSequence;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Naks what was delivered but not handled, without delay, so whoever consumes next gets it
 * first, in order, rather than after the ack wait. Ordered consumers do not count these
 * redeliveries.
 */
function handBack(queue: MessageQueue<JsMsg>): void {
  for (const msg of queue.drain()) msg.nak();
}
