import type { IngestRequest } from '@tally/contracts';

/**
 * The request as JSON, in chunks NATS accepts: NATS refuses messages over its `max_payload`
 * (1 MiB by default), and a full 1 MiB request plus its envelope does not fit. A request that
 * fits travels whole, serialised once; a larger one is split by its events' serialised sizes,
 * each chunk keeping the index of its first event so rejections still point into the client's
 * request.
 */
export function encodedIngestChunks(request: IngestRequest, maxBytes: number): string[] {
  const whole = JSON.stringify(request);
  if (Buffer.byteLength(whole) <= maxBytes) return [whole];
  return splitBySize(request, maxBytes).map((chunk) => JSON.stringify(chunk));
}

function splitBySize(request: IngestRequest, maxBytes: number): IngestRequest[] {
  const chunks: IngestRequest[] = [];
  let current: unknown[] = [];
  let size = 0;
  let firstIndex = request.firstIndex;
  request.events.forEach((event, i) => {
    const bytes = Buffer.byteLength(JSON.stringify(event) ?? 'null') + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push({ ...request, firstIndex, events: current });
      firstIndex = request.firstIndex + i;
      current = [];
      size = 0;
    }
    current.push(event);
    size += bytes;
  });
  chunks.push({ ...request, firstIndex, events: current });
  return chunks;
}
