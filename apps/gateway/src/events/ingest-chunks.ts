import type { IngestRequest } from '@tally/contracts';

/**
 * NATS refuses messages over its `max_payload` (1 MiB by default), and a full 1 MiB request
 * plus its envelope does not fit. Requests are split by serialised size; each chunk keeps the
 * index of its first event so rejections still point into the client's request.
 */
export function ingestChunks(request: IngestRequest, maxBytes: number): IngestRequest[] {
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
