import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { INGEST_LIMITS, QUERY_LIMITS } from '@tally/contracts';
import { waitFor } from '@tally/testkit';
import { getSeries, postExpect202, type Accepted } from './client.js';
import { bucketStart } from './ledger.js';
import {
  dumpProblems,
  readIdleState,
  waitUntilAggregatorIdle,
  type Stack,
  startStack,
} from './stack.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
/** Events in one request at most (the property's batches, the NUL test's 12). */
const MAX_EVENTS_PER_SEND = 16;
/**
 * Each request's events carry a minute of their own, and the rollups are read a window of
 * minutes at a time: a breakdown answers at most `QUERY_LIMITS.maxTop` dimensions, and a window
 * of 6 requests holds at most 96 events, so every dimension of a window is answered.
 */
const WINDOW_MS = Math.floor(QUERY_LIMITS.maxTop / MAX_EVENTS_PER_SEND) * MINUTE;
const TYPES = ['click', 'custom', 'page_view', 'login'] as const;
type Type = (typeof TYPES)[number];

/**
 * What the rollups of one type should hold: per window and dimension (the key, see `countKey`),
 * its count and its users.
 */
type Expected = Map<Type, Map<string, { count: number; users: Set<string> }>>;
type Counted = Map<string, { count: number; users: number }>;

/**
 * The test's own oracle, independent of the contract: Postgres text holds a string as sent unless
 * it has a NUL (refused) or a lone surrogate (UTF-8 cannot carry it: it comes back as U+FFFD).
 */
function storable(text: string): boolean {
  return !text.includes('\u0000') && Buffer.from(text, 'utf8').toString('utf8') === text;
}

/** Every string in a JSON value, keys included. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  return Object.entries(value).flatMap(([key, item]) => [key, ...stringsOf(item)]);
}

/** Characters Postgres text holds: every control character but NUL, any other code point. */
const storableCharacter = fc.oneof(
  // C0 and C1 controls, DEL among them.
  fc.integer({ min: 1, max: 0x9f }).map((c) => String.fromCharCode(c)),
  // The whole range, astral planes and noncharacters included, but no half of a pair alone.
  fc
    .integer({ min: 1, max: 0x10ffff })
    .filter((c) => c < 0xd800 || c > 0xdfff)
    .map((c) => String.fromCodePoint(c)),
  fc.constantFrom('a', 'b', '/', ' '),
);
/** NUL and lone surrogates, high and low. */
const unstorableCharacter = fc.oneof(
  fc.constant('\u0000'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);
/** Mostly storable text; one string in five may carry NUL or lone surrogates anywhere. */
const hostile = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: storableCharacter, minLength: 1, maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.oneof(storableCharacter, unstorableCharacter),
      minLength: 1,
      maxLength: 12,
    }),
  },
);

/**
 * Long dimensions near the byte limit of the rollups' index: up to 1,024 UTF-16 units (the
 * character limit) of three-byte characters (up to 3 KiB) or astral ones (up to 2 KiB).
 */
const longDimension = fc.oneof(
  fc.string({
    unit: fc.integer({ min: 0x800, max: 0xd7ff }).map((c) => String.fromCharCode(c)),
    minLength: 600,
    maxLength: 1024,
  }),
  fc.string({
    unit: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
    minLength: 256,
    maxLength: 512,
  }),
);
const dimension = fc.oneof({ weight: 9, arbitrary: hostile }, longDimension);

/** One valid event whose dimension, user id and (custom) free property are hostile text. */
const hostileEvent = fc.oneof(
  fc.record({
    type: fc.constant('click'),
    userId: hostile,
    properties: fc.record({ element: dimension }),
  }),
  fc.record({
    type: fc.constant('custom'),
    name: dimension,
    userId: hostile,
    properties: fc.tuple(hostile, hostile).map(([key, value]) => ({ [key]: value })),
  }),
  fc.record({
    type: fc.constant('page_view'),
    userId: hostile,
    properties: fc.record({ path: dimension }),
  }),
  fc.record({
    type: fc.constant('login'),
    userId: hostile,
    properties: fc.record({ method: dimension, success: fc.boolean() }),
  }),
);

/** The key of a window's dimension in `Expected` and `Counted`. */
function countKey(windowStart: number, dimension: string): string {
  return JSON.stringify([new Date(windowStart).toISOString(), dimension]);
}

function dimensionOf(event: Record<string, unknown>): string {
  const properties = event['properties'] as Record<string, string>;
  if (typeof event['name'] === 'string') return event['name'];
  return properties['element'] ?? properties['path'] ?? properties['method'] ?? '';
}

/*
 * Issue 12, findings 1, 2 and 12, on the whole pipeline (gateway, ingest, aggregator as processes
 * on real NATS and Postgres): a 202 is a promise. Every event it accepts is counted, under its own
 * dimension and user; every one it refuses is refused with a reason, in the 202 and in
 * `GET /v1/rejected`; nothing is dead-lettered.
 */
describe('Tally end to end: only what storage can hold is accepted, and all of it is counted', () => {
  let stack: Stack;
  const expected: Expected = new Map(
    TYPES.map((t) => [t, new Map<string, { count: number; users: Set<string> }>()]),
  );
  /** Ids of the events each 202 refused, to be found in `GET /v1/rejected`. */
  const refusedIds = new Set<string>();
  /** The first request's minute (a day back: well inside the accepted window), and the count. */
  const firstMinute = bucketStart(Date.now(), 'hour') - DAY;
  let requests = 0;

  /** The event time of the next request's events: a minute of its own. */
  function nextMinute(): string {
    return new Date(firstMinute + requests++ * MINUTE).toISOString();
  }

  function windowOf(timestamp: number): number {
    return firstMinute + Math.floor((timestamp - firstMinute) / WINDOW_MS) * WINDOW_MS;
  }

  before(async () => {
    stack = await startStack(2);
  });

  after(async () => {
    await stack?.stop();
  });

  function remember(events: Array<Record<string, unknown>>, answer: Accepted): void {
    const refused = new Set(answer.rejected.map((r) => r.index));
    events.forEach((event, index) => {
      if (refused.has(index)) {
        refusedIds.add(event['id'] as string);
        return;
      }
      const perDimension = expected.get(event['type'] as Type);
      assert.ok(perDimension, `an event of type ${String(event['type'])}`);
      const key = countKey(windowOf(Date.parse(event['timestamp'] as string)), dimensionOf(event));
      const entry = perDimension.get(key) ?? { count: 0, users: new Set<string>() };
      entry.count += 1;
      entry.users.add(event['userId'] as string);
      perDimension.set(key, entry);
    });
  }

  async function send(events: Array<Record<string, unknown>>): Promise<Accepted> {
    assert.ok(events.length <= MAX_EVENTS_PER_SEND);
    const timestamp = nextMinute();
    const stamped = events.map((event) => ({ ...event, timestamp }));
    const answer = await postExpect202(stack.gatewayUrl, stack.writeKey, { events: stamped });
    remember(stamped, answer);
    return answer;
  }

  /** Every dimension of `type`, window by window, each window's users one union. */
  async function observed(type: Type): Promise<Counted> {
    const windows: number[] = [];
    for (let start = firstMinute; start < firstMinute + requests * MINUTE; start += WINDOW_MS) {
      windows.push(start);
    }
    const answers = await Promise.all(
      windows.map(async (start) => {
        const points = await getSeries(stack.gatewayUrl, stack.readKey, {
          type,
          granularity: 'minute',
          groupBy: 'dimension',
          top: String(QUERY_LIMITS.maxTop),
          total: 'true',
          from: new Date(start).toISOString(),
          to: new Date(start + WINDOW_MS).toISOString(),
        });
        return { start, points };
      }),
    );
    const out: Counted = new Map();
    for (const { start, points } of answers) {
      for (const point of points) {
        const key = countKey(start, point.dimension ?? '(missing)');
        assert.ok(!out.has(key), `${key} answered twice`);
        out.set(key, { count: point.count, users: point.uniqueUsers });
      }
    }
    return out;
  }

  function want(type: Type): Counted {
    const perDimension = expected.get(type);
    assert.ok(perDimension);
    return new Map(
      [...perDimension].map(([key, e]) => [key, { count: e.count, users: e.users.size }]),
    );
  }

  async function assertAllCounted(): Promise<void> {
    const matches = async () => {
      for (const type of TYPES) {
        if (!isDeepStrictEqual(await observed(type), want(type))) return false;
      }
      return true;
    };
    await waitFor(matches, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'every accepted event counted',
    }).catch(() => undefined);
    await waitUntilAggregatorIdle(stack, 60_000);
    for (const type of TYPES) {
      assert.deepEqual(await observed(type), want(type), `${type}: rollups == accepted events`);
    }
    assert.equal((await readIdleState(stack)).deadLetters, 0, 'nothing was dead-lettered');
  }

  async function rejectedIds(): Promise<Map<string, string[]>> {
    const res = await fetch(`${stack.gatewayUrl}/v1/rejected?limit=500`, {
      headers: { authorization: `Bearer ${stack.readKey}` },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      rejected: Array<{ excerpt: string; errors: Array<{ code: string }> }>;
    };
    return new Map(
      body.rejected.map((r) => [
        // The excerpt may be truncated; each test event's id is its first field.
        /^\{"id":"([0-9a-f-]{36})"/.exec(r.excerpt)?.[1] ?? r.excerpt,
        r.errors.map((e) => e.code),
      ]),
    );
  }

  it(
    'refuses the NUL of the issue alone, and counts the clean event beside it',
    { timeout: 120_000 },
    async () => {
      try {
        const nul = {
          id: randomUUID(),
          type: 'click',
          userId: 'nul1',
          properties: { element: 'a\u0000b' },
        };
        const clean = {
          id: randomUUID(),
          type: 'click',
          userId: 'clean1',
          properties: { element: 'ok' },
        };
        const nulUsers = Array.from({ length: 10 }, () => ({
          id: randomUUID(),
          type: 'click',
          userId: 'nul\u0000user',
          properties: { element: 'x' },
        }));
        const answer = await send([nul, clean, ...nulUsers]);
        assert.equal(answer.accepted, 1);
        assert.deepEqual(
          answer.rejected.map((r) => [r.index, r.errors.map((e) => `${e.path}:${e.code}`)]),
          [
            [0, ['properties.element:unstorable_text']],
            ...nulUsers.map((_, i) => [i + 2, ['userId:unstorable_text']]),
          ],
        );
        await assertAllCounted();
      } catch (err) {
        dumpProblems(stack);
        throw err;
      }
    },
  );

  it(
    'refuses an event with a __proto__ key alone, and stores the others',
    { timeout: 120_000 },
    async () => {
      try {
        const ids = [randomUUID(), randomUUID(), randomUUID()];
        const at = `"timestamp":"${nextMinute()}"`;
        const body =
          `{"events":[{"id":"${ids[0]}",${at},"type":"click","userId":"p1","properties":{"element":"proto"}},` +
          `{"id":"${ids[1]}",${at},"type":"click","userId":"p2","properties":{"element":"proto","x":{"__proto__":{"admin":true}}}},` +
          `{"id":"${ids[2]}",${at},"type":"click","userId":"p3","properties":{"element":"proto"}}]}`;
        const res = await fetch(`${stack.gatewayUrl}/v1/events`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${stack.writeKey}`,
            'content-type': 'application/json',
          },
          body,
        });
        const text = await res.text();
        assert.equal(res.status, 202, text);
        const answer = JSON.parse(text) as Accepted;
        assert.equal(answer.accepted, 2);
        assert.deepEqual(
          answer.rejected.map((r) => [r.index, r.errors.map((e) => `${e.path}:${e.code}`)]),
          [[1, ['properties.x.__proto__:reserved_key']]],
        );
        remember((JSON.parse(body) as { events: Array<Record<string, unknown>> }).events, answer);
        await assertAllCounted();
      } catch (err) {
        dumpProblems(stack);
        throw err;
      }
    },
  );

  it(
    'accepts exactly the events with storable text, counts each under its own text, reports the rest',
    { timeout: 300_000 },
    async (t) => {
      try {
        const seed = Date.now() ^ (Math.random() * 0x7fffffff);
        t.diagnostic(`fast-check seed ${seed}`);
        const batch = fc.array(hostileEvent, { minLength: 1, maxLength: MAX_EVENTS_PER_SEND });
        await fc.assert(
          fc.asyncProperty(batch, async (generated) => {
            const events = generated.map((e) => ({ id: randomUUID(), ...e }));
            const answer = await send(events);
            const refused = new Set(answer.rejected.map((r) => r.index));
            events.forEach((event, index) => {
              const shouldStore =
                stringsOf(event).every(storable) &&
                Buffer.byteLength(dimensionOf(event)) <= INGEST_LIMITS.maxDimensionBytes;
              assert.equal(!refused.has(index), shouldStore, JSON.stringify(event));
            });
            for (const rejection of answer.rejected) {
              const codes = new Set(rejection.errors.map((e) => e.code));
              codes.delete('unstorable_text');
              codes.delete('dimension_too_long');
              assert.deepEqual([...codes], [], JSON.stringify(rejection));
            }
          }),
          { numRuns: 50, seed, endOnFailure: true },
        );
        const accepted = [...expected.values()].flatMap((m) => [...m.values()]);
        const counted = accepted.reduce((n, e) => n + e.count, 0);
        t.diagnostic(`${counted} events accepted, ${refusedIds.size} refused`);
        assert.ok(refusedIds.size > 20, 'unstorable text was generated');
        assert.ok(counted > 50, 'storable hostile text was generated');
        await assertAllCounted();
        const reported = await waitFor(
          async () => {
            const ids = await rejectedIds();
            return [...refusedIds].every((id) => ids.has(id)) ? ids : false;
          },
          { timeoutMs: 10_000, what: 'every refused event in GET /v1/rejected' },
        );
        for (const id of refusedIds) assert.ok((reported.get(id) ?? []).length > 0, id);
      } catch (err) {
        dumpProblems(stack);
        throw err;
      }
    },
  );
});
