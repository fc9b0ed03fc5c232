import { Kvm, type KV } from '@nats-io/kv';
import { z } from 'zod';
import { NatsConnection } from '../connection/nats-connection.js';

/**
 * NOTE: infrastructure of this package, not a message contract: only the consumer runners read
 * and write it, so its name lives here rather than in `@tally/contracts`.
 */
export const HANDLING_BUCKET = 'tally_consumer_handling';

/** The stream sequences an ordered consumer is handing to its handler, and how often in a row. */
export const HandlingMark = z.object({
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  attempts: z.number().int().positive(),
});
export type HandlingMark = z.infer<typeof HandlingMark>;

/**
 * One key per durable: what its runner handles right now. A runner marks a batch before the
 * handler gets it and clears the mark when it stops in an orderly way, so a mark that the next
 * owner finds over messages it is given again means a process died while handling them. Unlike
 * a delivery count, it does not grow when messages are handed back unhandled (stop, lost lease).
 */
export class HandlingLog {
  private bucket?: Promise<KV>;

  /** `replicas`: of the bucket when this creates it, as the app's streams have. */
  constructor(
    private readonly nats: NatsConnection,
    private readonly replicas = 1,
  ) {}

  /** The mark a previous owner left, if any. */
  async read(durable: string): Promise<HandlingMark | undefined> {
    const entry = await (await this.kv()).get(durable);
    if (!entry || entry.operation !== 'PUT') return undefined;
    const parsed = HandlingMark.safeParse(entry.json());
    return parsed.success ? parsed.data : undefined;
  }

  /** Marks what is about to be handled; the revision identifies this mark for `clear`. */
  async mark(durable: string, mark: HandlingMark): Promise<number> {
    return (await this.kv()).put(durable, JSON.stringify(mark));
  }

  /**
   * Removes the mark if it is still the one written at `revision`: a replica that took the
   * durable over meanwhile keeps its own.
   */
  async clear(durable: string, revision: number): Promise<void> {
    await (await this.kv()).delete(durable, { previousSeq: revision });
  }

  private kv(): Promise<KV> {
    // NOTE: a failed creation (NATS unreachable) is tried again next time, not cached.
    this.bucket ??= new Kvm(this.nats.js)
      .create(HANDLING_BUCKET, { history: 1, replicas: this.replicas })
      .catch((err: unknown) => {
        this.bucket = undefined;
        throw err;
      });
    return this.bucket;
  }
}
