import { Counter } from 'prom-client';
import type { HandlingLog, HandlingMark } from './handling-log.js';

const uncleanStartsTotal = new Counter({
  name: 'tally_jetstream_unclean_starts_total',
  help: 'Ordered consumers that started after a process died while handling (their handling mark was left)',
  labelNames: ['consumer'] as const,
});

/** What to do with the next messages of an ordered consumer's batch. */
export type GuardedStep<T> =
  | { kind: 'handle'; items: T[]; mark: HandlingMark }
  | { kind: 'dead-letter'; item: T; crashes: number };

/**
 * The crash-loop guard of one ordered consumer's run. A message that kills the process each time
 * it is handled would otherwise come back forever and hold its partition; redeliveries alone say
 * nothing (a stop or a lost lease hands buffered messages back unhandled), so the guard counts
 * processes that died while the handler had the message, through the durable's handling mark.
 */
export class CrashGuard<T> {
  private crashed?: HandlingMark;
  private revision?: number;

  constructor(
    private readonly log: HandlingLog,
    private readonly durable: string,
    private readonly maxCrashes: number,
    private readonly seqOf: (item: T) => number,
  ) {}

  /** Reads the mark a previous owner left: set only when it died while handling. */
  async start(): Promise<void> {
    this.crashed = await this.log.read(this.durable);
    if (this.crashed) uncleanStartsTotal.inc({ consumer: this.durable });
  }

  /**
   * Splits a batch (in stream order) into steps. Messages a process died while handling are
   * handled alone, so the one that kills it is found; once it killed `maxCrashes` processes while
   * handled alone it is dead-lettered. The rest is handled as one batch.
   */
  plan(items: T[]): GuardedStep<T>[] {
    const crashed = this.crashed;
    const suspect = (item: T): boolean => crashed !== undefined && this.seqOf(item) <= crashed.to;
    const steps = items
      .filter(suspect)
      .map((item) => this.suspectStep(item, crashed as HandlingMark));
    const rest = items.filter((item) => !suspect(item));
    if (rest.length > 0) steps.push({ kind: 'handle', items: rest, mark: this.markOf(rest, 1) });
    return steps;
  }

  /** Records that `mark`'s messages go to the handler now. */
  async mark(mark: HandlingMark): Promise<void> {
    this.revision = await this.log.mark(this.durable, mark);
  }

  /** An orderly stop: nothing this run handled killed it. */
  async stop(): Promise<void> {
    if (this.revision !== undefined) await this.log.clear(this.durable, this.revision);
  }

  private suspectStep(item: T, crashed: HandlingMark): GuardedStep<T> {
    const seq = this.seqOf(item);
    const alone = crashed.from === seq && crashed.to === seq;
    const crashes = alone ? crashed.attempts : 0;
    if (crashes >= this.maxCrashes) return { kind: 'dead-letter', item, crashes };
    return { kind: 'handle', items: [item], mark: this.markOf([item], crashes + 1) };
  }

  private markOf(items: T[], attempts: number): HandlingMark {
    const seqs = items.map(this.seqOf);
    return { from: seqs.reduce(min), to: seqs.reduce(max), attempts };
  }
}

const min = (a: number, b: number): number => Math.min(a, b);
const max = (a: number, b: number): number => Math.max(a, b);
