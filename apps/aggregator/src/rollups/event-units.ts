import { STREAMS, type StoredEvent, type StoredEventBatch } from '@tally/contracts';
import type { ConsumedMessage, DeadLetterPart } from '@tally/nats';
import { sqlState } from '@tally/platform';
import { foldBatches, type MinuteRollup } from './bucket-fold.js';

/** One event of a stored message: the smallest unit that can be applied or dead-lettered. */
export interface EventUnit {
  message: ConsumedMessage<StoredEventBatch>;
  /** Index in the message's `events`: with the message's sequence, the event's stable id. */
  index: number;
  event: StoredEvent;
}

export function eventUnits(messages: readonly ConsumedMessage<StoredEventBatch>[]): EventUnit[] {
  return messages.flatMap((message) =>
    message.data.events.map((event, index) => ({ message, index, event })),
  );
}

export function foldUnits(units: readonly EventUnit[]): MinuteRollup[] {
  return foldBatches(units.map((u) => ({ ...u.message.data, events: [u.event] })));
}

/** The dead-letter record of one event: its message with that event alone, so it can be replayed. */
export function deadLetterPart(consumer: string, unit: EventUnit): DeadLetterPart {
  const alone: StoredEventBatch = { ...unit.message.data, events: [unit.event] };
  return {
    stream: STREAMS.events.name,
    consumer,
    streamSequence: unit.message.seq,
    deliveryCount: unit.message.deliveryCount,
    index: unit.index,
    data: new TextEncoder().encode(JSON.stringify(alone)),
  };
}

/** Why Postgres refused an event: its SQLSTATE first, so the reason can be matched on. */
export function refusalReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${sqlState(err) ?? 'unknown'}: ${message}`;
}
