import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';

/** Request header: the requester reassembles a reply sent in several messages. */
export const ACCEPT_CHUNKS_HEADER = 'Tally-Accept-Chunks';
/** Reply header of one part of a reply too large for one message: `<index>/<count>`, 1-based. */
export const CHUNK_HEADER = 'Tally-Reply-Chunk';
/** A reply is split into at most this many messages; a larger one is refused. */
export const MAX_REPLY_CHUNKS = 32;

// NOTE: max_payload counts headers too; a chunk leaves room for its own.
const HEADER_ROOM = 1024;

export interface ReplyMessage {
  headers?: MsgHdrs;
  data: Uint8Array;
}

/** `reply` cut into parts that each fit in one message with `maxPayload`, or none if too many. */
export function replyChunks(reply: Uint8Array, maxPayload: number): Uint8Array[] | undefined {
  const size = maxPayload - HEADER_ROOM;
  const count = Math.ceil(reply.length / size);
  if (count > MAX_REPLY_CHUNKS) return undefined;
  return Array.from({ length: count }, (_, i) => reply.subarray(i * size, (i + 1) * size));
}

/**
 * Sends a request and waits for its reply, reassembling one sent in parts (`CHUNK_HEADER`).
 * Rejects like `request()` on no responders, and with a timeout when the reply is incomplete.
 */
export async function requestAssembled(
  nc: NatsConnection,
  subject: string,
  payload: string | Uint8Array,
  { timeout, headers }: { timeout: number; headers: MsgHdrs },
): Promise<ReplyMessage> {
  headers.set(ACCEPT_CHUNKS_HEADER, '1');
  const replies = await nc.requestMany(subject, payload, { maxWait: timeout, headers });
  const parts: Uint8Array[] = [];
  for await (const msg of replies) {
    const chunk = msg.headers?.get(CHUNK_HEADER);
    if (!chunk) return msg;
    const [index, count] = chunk.split('/').map(Number);
    parts[(index ?? 0) - 1] = msg.data;
    if (parts.filter(Boolean).length === count) return { data: Buffer.concat(parts) };
  }
  throw new Error(`no complete reply on ${subject} within ${timeout} ms`);
}
