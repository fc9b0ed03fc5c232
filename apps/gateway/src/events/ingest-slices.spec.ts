import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiErrorBody } from '@tally/contracts';
import { ApiError } from '../http/api-error.js';
import { ingestSlices, type IngestSlice } from './ingest-slices.js';

const encode = (body: unknown) => new TextEncoder().encode(JSON.stringify(body));
const parsed = (slices: IngestSlice[]) =>
  slices.map((s) => ({
    firstIndex: s.firstIndex,
    body: JSON.parse(new TextDecoder().decode(s.data)) as { events: unknown[]; sentAt?: string },
  }));

describe('ingestSlices', () => {
  it('passes a body that fits on as it came, whatever it holds', () => {
    const body = new TextEncoder().encode('{"events": [ {"a": 1} ], "odd": true}');
    assert.deepEqual(ingestSlices(body, 1_000), [{ firstIndex: 0, data: body }]);
    const notJson = new TextEncoder().encode('{"events": [');
    assert.deepEqual(ingestSlices(notJson, 1_000), [{ firstIndex: 0, data: notJson }]);
  });

  it('splits a larger batch by size, keeping order, first indexes and sentAt', () => {
    const events = Array.from({ length: 10 }, (_, i) => ({ i, pad: 'x'.repeat(90) }));
    const sentAt = '2026-11-26T10:00:00.000Z';
    const slices = parsed(ingestSlices(encode({ events, sentAt }), 350));
    assert.deepEqual(
      slices.map((s) => [s.firstIndex, s.body.events.length]),
      [
        [0, 3],
        [3, 3],
        [6, 3],
        [9, 1],
      ],
    );
    assert.deepEqual(
      slices.flatMap((s) => s.body.events),
      events,
    );
    assert.ok(slices.every((s) => s.body.sentAt === sentAt));
  });

  it('never leaves an oversized single event behind', () => {
    const slices = parsed(
      ingestSlices(encode({ events: [{ big: 'x'.repeat(500) }, { a: 1 }] }), 100),
    );
    assert.deepEqual(
      slices.map((s) => [s.firstIndex, s.body.events]),
      [
        [0, [{ big: 'x'.repeat(500) }]],
        [1, [{ a: 1 }]],
      ],
    );
  });

  it('refuses a larger body it cannot split, and a missing one, with the 400 ingest would give', () => {
    const refusal = (body: Uint8Array | undefined) => {
      try {
        ingestSlices(body, 10);
        return 'split';
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        return `${err.getStatus()} ${(err.getResponse() as ApiErrorBody).error.code}`;
      }
    };
    assert.equal(refusal(new TextEncoder().encode('{"events": [1, 2, 3')), '400 malformed_json');
    assert.equal(refusal(encode({ events: 'many', sentAt: 'now' })), '400 invalid_body');
    assert.equal(refusal(undefined), '400 invalid_body');
  });
});
