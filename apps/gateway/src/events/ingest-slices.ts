import { parseTrackBody, type EventBatchBody } from '@tally/contracts';
import { invalidBody } from '../http/api-error.js';

/** A piece of a `POST /v1/events` body, sent to ingest as one NATS request. */
export interface IngestSlice {
  /** Index of the slice's first event in the client's request. */
  firstIndex: number;
  data: Uint8Array;
}

const encoder = new TextEncoder();

/**
 * The body in pieces NATS accepts: NATS refuses messages over its `max_payload` (1 MiB by
 * default), and a full 1 MiB body plus headers does not fit. A body that fits goes to ingest as
 * it came, unparsed (ingest reads and checks it); a larger one is parsed here and split by its
 * events' serialised sizes into `{ events, sentAt }` slices, each knowing the index of its first
 * event so rejections still point into the client's request. `undefined` is a request without a
 * body.
 */
export function ingestSlices(body: Uint8Array | undefined, maxBytes: number): IngestSlice[] {
  if (body !== undefined && body.length <= maxBytes) return [{ firstIndex: 0, data: body }];
  const parsed = parseTrackBody(body);
  if (!parsed.ok) throw invalidBody(parsed.error);
  return splitBySize(parsed.batch, maxBytes);
}

function splitBySize(batch: EventBatchBody, maxBytes: number): IngestSlice[] {
  const slices: IngestSlice[] = [];
  let current: string[] = [];
  let size = 0;
  let firstIndex = 0;
  const flush = () => {
    const sentAt = batch.sentAt === undefined ? '' : `,"sentAt":${JSON.stringify(batch.sentAt)}`;
    slices.push({ firstIndex, data: encoder.encode(`{"events":[${current.join(',')}]${sentAt}}`) });
  };
  batch.events.forEach((event, i) => {
    const json = JSON.stringify(event) ?? 'null';
    const bytes = Buffer.byteLength(json) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      flush();
      firstIndex = i;
      current = [];
      size = 0;
    }
    current.push(json);
    size += bytes;
  });
  flush();
  return slices;
}
