import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

/*
 * The page's plain browser modules that need no DOM, loaded from public/dashboard/ as the
 * browser loads them (their whole-page behaviour is tested in Chromium: tests/e2e).
 */
const moduleUrl = (name: string) => new URL(`../../public/dashboard/${name}`, import.meta.url).href;

interface SseModule {
  sseMessages: (
    body: ReadableStream<Uint8Array>,
  ) => AsyncGenerator<{ event: string; data: string }>;
}
interface Range {
  starts: number[];
  from: number;
  to: number;
  granularity: string;
}
interface RangesModule {
  rangeAt: (name: string, now: number) => Range;
  bucketIndex: (range: Range, ms: number) => number;
}

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const bytes = chunks.map((c) => new TextEncoder().encode(c));
  return new ReadableStream({
    pull(controller) {
      const next = bytes.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

describe('sseMessages (the page reads GET /v1/live with fetch)', () => {
  it('parses events split anywhere across chunks, skipping comments', async () => {
    const { sseMessages } = (await import(moduleUrl('sse-messages.js'))) as SseModule;
    const wire =
      ': connected\n\nevent: delta\ndata: {"a":1}\n\n: ping\n\nevent: delta\r\ndata: x\r\ndata: y\r\n\r\ndata: plain\n\n';
    const expected = [
      { event: 'delta', data: '{"a":1}' },
      { event: 'delta', data: 'x\ny' },
      { event: 'message', data: 'plain' },
    ];
    for (const size of [1, 3, 7, wire.length]) {
      const chunks = wire.match(new RegExp(`[^]{1,${size}}`, 'g')) ?? [];
      const messages = [];
      for await (const message of sseMessages(streamOf(chunks))) messages.push(message);
      assert.deepEqual(messages, expected, `chunks of ${size}`);
    }
  });
});

describe('rangeAt (the buckets the chart and the totals cover)', () => {
  const now = Date.parse('2026-11-25T10:42:31Z');

  it('ends each range with the bucket that holds now', async () => {
    const { rangeAt } = (await import(moduleUrl('ranges.js'))) as RangesModule;
    const hour = rangeAt('hour', now);
    assert.equal(hour.starts.length, 60);
    assert.equal(new Date(hour.from).toISOString(), '2026-11-25T09:43:00.000Z');
    assert.equal(new Date(hour.to).toISOString(), '2026-11-25T10:43:00.000Z');
    const day = rangeAt('day', now);
    assert.equal(day.granularity, 'hour');
    assert.equal(new Date(day.from).toISOString(), '2026-11-24T11:00:00.000Z');
    assert.equal(new Date(day.to).toISOString(), '2026-11-25T11:00:00.000Z');
    assert.equal(rangeAt('week', now).starts.length, 7);
  });

  it('finds the bucket of a delta row, or none outside the range', async () => {
    const { rangeAt, bucketIndex } = (await import(moduleUrl('ranges.js'))) as RangesModule;
    const day = rangeAt('day', now);
    assert.equal(bucketIndex(day, Date.parse('2026-11-25T10:05:00Z')), 23);
    assert.equal(bucketIndex(day, Date.parse('2026-11-24T11:00:00Z')), 0);
    assert.equal(bucketIndex(day, Date.parse('2026-11-24T10:59:00Z')), -1);
    assert.equal(bucketIndex(day, day.to), -1);
  });
});
