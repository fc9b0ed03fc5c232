import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { abortableDelay } from '@tally/nats';

export interface BackgroundLoopOptions {
  /** How long to wait after a round that found nothing more to do, or failed. */
  idleMs: number;
  /** The log message of a failed round, e.g. `delivery poll failed`. */
  failure: string;
}

/**
 * A provider's work loop, from application bootstrap until module destroy: round after round
 * of `step()`, the next at once while a round reports more work waiting, else after `idleMs`.
 * A failed round is logged and the loop goes on.
 */
export abstract class BackgroundLoop implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger = new Logger(this.constructor.name);
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  protected constructor(private readonly loopOptions: BackgroundLoopOptions) {}

  /** One round of work; true when more is waiting, so the next round starts at once. */
  protected abstract step(): Promise<boolean>;

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  // NOTE: onModuleDestroy, not a shutdown hook: those run after Prisma has disconnected, and a
  // round in flight still needs the database.
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { idleMs, failure } = this.loopOptions;
    while (!this.stopping.signal.aborted) {
      let more = false;
      try {
        more = await this.step();
      } catch (err) {
        this.logger.error({ err }, failure);
      }
      if (!more) await abortableDelay(idleMs, this.stopping.signal);
    }
  }
}
