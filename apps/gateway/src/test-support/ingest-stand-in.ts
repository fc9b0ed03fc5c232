import type { Msg } from '@nats-io/transport-node';
import {
  INGEST_REQUEST_HEADERS,
  IngestRequestHeaders,
  parseTrackBody,
  type IngestReply,
  type ParsedTrackBody,
} from '@tally/contracts';
import { headerFields } from '@tally/nats';

export interface ReceivedIngestRequest {
  meta: IngestRequestHeaders;
  body: ParsedTrackBody;
}

/** A `SUBJECTS.ingestBatch` request read the way ingest reads it: its headers and its body. */
export function readIngestRequest(msg: Msg): ReceivedIngestRequest {
  const fields = headerFields(msg, INGEST_REQUEST_HEADERS);
  return { meta: IngestRequestHeaders.parse(fields), body: parseTrackBody(msg.data) };
}

/** What an ingest that stores every event answers: a 400 for a body ingest would refuse. */
export function storedEverything({ body }: ReceivedIngestRequest): IngestReply {
  if (!body.ok) return { stored: false, reason: 'the body is invalid', invalidBody: body.error };
  return { stored: true, accepted: body.batch.events.length, rejected: [] };
}
