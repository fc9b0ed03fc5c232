import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngestRequest } from '@tally/contracts';
import { encodedIngestChunks } from './ingest-chunks.js';

const ingestChunks = (r: IngestRequest, maxBytes: number): IngestRequest[] =>
  encodedIngestChunks(r, maxBytes).map((json) => JSON.parse(json) as IngestRequest);

const request = (events: unknown[]): IngestRequest => ({
  requestId: 'r',
  projectId: 'p',
  receivedAt: 0,
  firstIndex: 0,
  events,
});

describe('encodedIngestChunks', () => {
  it('keeps a request that fits whole, serialised as it is', () => {
    const whole = request([{ a: 1 }, { a: 2 }]);
    assert.deepEqual(encodedIngestChunks(whole, 1_000), [JSON.stringify(whole)]);
  });

  it('splits by size, keeping order and first indexes', () => {
    const events = Array.from({ length: 10 }, (_, i) => ({ i, pad: 'x'.repeat(90) }));
    const chunks = ingestChunks(request(events), 350);
    assert.deepEqual(
      chunks.map((c) => [c.firstIndex, c.events.length]),
      [
        [0, 3],
        [3, 3],
        [6, 3],
        [9, 1],
      ],
    );
    assert.deepEqual(
      chunks.flatMap((c) => c.events),
      events,
    );
  });

  it('never leaves an oversized single event behind', () => {
    const chunks = ingestChunks(request([{ big: 'x'.repeat(500) }, { a: 1 }]), 100);
    assert.deepEqual(
      chunks.map((c) => [c.firstIndex, c.events.length]),
      [
        [0, 1],
        [1, 1],
      ],
    );
  });
});
