import { createHash } from 'node:crypto';
import {
  SUBJECTS,
  type RejectedEvent,
  type StoredEvent,
  type StoredEventBatch,
} from '@tally/contracts';
import type { OutgoingMessage } from '@tally/nats';

const encoder = new TextEncoder();

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/**
 * One message per partition. Its `Nats-Msg-Id` depends only on the project, the partition and
 * the event ids, so a retried request is stored once within the stream's duplicate window.
 */
export function eventBatchMessages(
  projectId: string,
  byPartition: Map<number, StoredEvent[]>,
): OutgoingMessage[] {
  return [...byPartition].map(([partition, events]) => {
    const batchId = digest(projectId, String(partition), ...events.map((e) => e.id));
    const batch: StoredEventBatch = { v: 1, batchId, projectId, partition, events };
    return {
      subject: SUBJECTS.events(partition),
      data: encoder.encode(JSON.stringify(batch)),
      msgId: `ev:${batchId}`,
    };
  });
}

export function rejectedEventMessage(record: RejectedEvent, sentAt?: string): OutgoingMessage {
  return {
    subject: SUBJECTS.rejected(record.projectId),
    data: encoder.encode(JSON.stringify(record)),
    msgId: `rej:${digest(record.projectId, sentAt ?? '', String(record.index), record.excerpt)}`,
  };
}

/** At most this many UTF-16 units of a rejected event are kept with its reasons. */
export const EXCERPT_CHARS = 512;

/**
 * The start of a rejected event's JSON, so a hostile payload cannot bloat the stream. The cut
 * never leaves half of a surrogate pair: the excerpt itself must stay valid text.
 */
export function rejectedExcerpt(raw: unknown): string {
  const json = JSON.stringify(raw) ?? 'null';
  const last = json.charCodeAt(EXCERPT_CHARS - 1);
  const splitsPair = last >= 0xd800 && last <= 0xdbff;
  return json.slice(0, splitsPair ? EXCERPT_CHARS - 1 : EXCERPT_CHARS);
}
