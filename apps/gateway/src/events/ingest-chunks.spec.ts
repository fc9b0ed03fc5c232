import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngestRequest } from '@tally/contracts';
import { ingestChunks } from './ingest-chunks.js';

const request = (events: unknown[]): IngestRequest => ({
  requestId: 'r',
  projectId: 'p',
  receivedAt: 0,
  firstIndex: 0,
  events,
});

describe('ingestChunks', () => {
  it('keeps a small request whole', () => {
    const chunks = ingestChunks(request([{ a: 1 }, { a: 2 }]), 1_000);
    assert.deepEqual(
      chunks.map((c) => [c.firstIndex, c.events.length]),
      [[0, 2]],
    );
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
