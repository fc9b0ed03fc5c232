import fc from 'fast-check';
import { INGEST_LIMITS } from '@tally/contracts';

/** One `POST /v1/events` as the fuzz test sends it. */
export interface FuzzRequest {
  contentType: string | undefined;
  body: string | Uint8Array;
}

const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const uuid = fc.uuid();
const plainText = fc.string({ maxLength: 40 });
/** Lone surrogates, astral planes, combining marks: any code unit at all. */
const anyUnicode = fc.string({ unit: 'binary', maxLength: 200 });
const controlChars = fc.string({
  unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  maxLength: 20,
});
/**
 * What Postgres text cannot hold as sent: NUL (refused) and lone surrogates (stored as U+FFFD),
 * anywhere in otherwise plain text. Ingest must refuse every event that carries one.
 */
const unstorableChar = fc.oneof(
  fc.constant('\u0000'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);
const unstorableText = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 1 }) },
    unstorableChar,
  ),
  minLength: 1,
  maxLength: 40,
});
/** Plain text, and now and then text with NUL or lone surrogates in it. */
const mostlyPlainText = fc.oneof({ weight: 9, arbitrary: plainText }, unstorableText);
const hostileText = fc.oneof(plainText, anyUnicode, controlChars, unstorableText);
/** JSON values whose strings may hold any code unit, NUL and lone surrogates included. */
const anyJsonValue = (maxDepth: number) =>
  fc.oneof(fc.jsonValue({ maxDepth }), fc.jsonValue({ maxDepth, stringUnit: 'binary' }));

/** ISO timestamps from the year 0 to 9999, and a few the contract cannot even parse. */
const representableTimestamp = fc
  .date({
    min: new Date('0000-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());
const timestamp = fc.oneof(
  representableTimestamp,
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-02-30T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:00+99:00',
    'now',
  ),
  fc.constant(new Date().toISOString()),
);

const purchaseProperties = fc.record({
  orderId: plainText.filter((s) => s.length > 0),
  amount: fc.oneof(
    fc.double({ min: 0, max: 1e9, noNaN: true }),
    fc.integer({ min: 0, max: 10_000 }),
  ),
  currency: fc.constantFrom('EUR', 'USD', 'JPY', 'XXX', 'eur', 'EURO', ''),
});

/** Events of every type, mostly valid, with hostile but well-typed strings. */
export const plausibleEvent = fc.oneof(
  fc.record(
    {
      type: fc.constant('click'),
      userId: hostileText,
      properties: fc.record({ element: hostileText, page: hostileText }, { requiredKeys: [] }),
      id: uuid,
      timestamp,
    },
    { requiredKeys: ['type', 'userId'] },
  ),
  fc.record(
    {
      type: fc.constant('purchase'),
      userId: hostileText,
      properties: purchaseProperties,
      timestamp,
    },
    { requiredKeys: ['type', 'userId', 'properties'] },
  ),
  fc.record({
    type: fc.constant('login'),
    userId: mostlyPlainText,
    properties: fc.record({ method: hostileText, success: fc.boolean() }),
  }),
  fc.record({
    type: fc.constant('page_view'),
    userId: mostlyPlainText,
    properties: fc.record({ path: hostileText }),
  }),
  fc.record(
    {
      type: fc.constant('custom'),
      name: hostileText,
      userId: mostlyPlainText,
      // Up to 120 keys: one in fifty unstorable still leaves most such events valid.
      properties: fc.dictionary(
        fc.oneof({ weight: 49, arbitrary: plainText }, unstorableText),
        anyJsonValue(3),
        { maxKeys: 120 },
      ),
    },
    { requiredKeys: ['type', 'userId'] },
  ),
);

/** `value` with `key` as an own, enumerable property, even for `__proto__`. */
function withOwnKey(value: Record<string, unknown>, key: string, inner: unknown) {
  const copy = { ...value };
  Object.defineProperty(copy, key, {
    value: inner,
    enumerable: true,
    configurable: true,
    writable: true,
  });
  return copy;
}

/** A plausible event with one field replaced by any JSON value, or a reserved key planted. */
const mangledEvent = fc.oneof(
  fc
    .tuple(
      plausibleEvent,
      fc.constantFrom('type', 'userId', 'properties', 'id', 'timestamp', 'name'),
      anyJsonValue(3),
    )
    .map(([event, field, value]) => ({ ...event, [field]: value })),
  fc
    .tuple(plausibleEvent, fc.constantFrom(...RESERVED_KEYS), anyJsonValue(2), fc.boolean())
    .map(([event, key, value, inProperties]) =>
      inProperties
        ? {
            ...event,
            properties: withOwnKey((event.properties ?? {}) as Record<string, unknown>, key, value),
          }
        : withOwnKey(event, key, value),
    ),
);

const anyEvent = fc.oneof(
  { weight: 5, arbitrary: plausibleEvent },
  { weight: 3, arbitrary: mangledEvent },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

const json = (value: unknown): FuzzRequest => ({
  contentType: 'application/json',
  body: JSON.stringify(value),
});

/** Raw JSON text for numbers that JSON.parse turns into Infinity, -0, or loses precision on. */
const bigNumberBody = fc
  .tuple(
    fc.constantFrom(
      '1e400',
      '-1e400',
      '1e-400',
      '-0',
      '123456789012345678901234567890',
      '"NaN"',
      '"Infinity"',
      '0x10',
    ),
    fc.constantFrom('amount', 'success', 'userId'),
  )
  .map(([number, field]) => ({
    contentType: 'application/json',
    body: `{"events":[{"type":"purchase","userId":"u","properties":{"orderId":"o","amount":1,"currency":"EUR","${field}":${number}}},{"type":"login","userId":"u","properties":{"method":"m","success":true},"${field}":${number}}]}`,
  }));

/** `{"events":[{"type":"custom",…,"properties":{"deep":[[[…]]]}}]}`, up to 100,000 levels. */
const deeplyNested = fc.integer({ min: 1, max: 100_000 }).map((depth) => ({
  contentType: 'application/json',
  body: `{"events":[{"type":"custom","name":"n","userId":"u","properties":{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}}]}`,
}));

const wrongContentType = fc
  .tuple(
    fc.constantFrom(
      undefined,
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'application/json; charset=utf-16',
      'application/JSON',
      'application/vnd.api+json',
      'application/json;;;',
      '*/*',
    ),
    fc.oneof(
      plausibleEvent.map((e) => JSON.stringify(e)),
      fc.string(),
    ),
  )
  .map(([contentType, body]) => ({ contentType, body }));

const nonJsonBytes = fc
  .uint8Array({ maxLength: 2_000 })
  .map((body) => ({ contentType: 'application/json', body }));

/** A few oversized requests: too many events, a body over 1 MiB, an event over 32 KiB. */
const oversized = fc.constantFrom<FuzzRequest>(
  json({
    events: new Array(INGEST_LIMITS.maxEventsPerBatch + 1).fill({ type: 'click', userId: 'u' }),
  }),
  json({
    events: [
      {
        type: 'custom',
        name: 'n',
        userId: 'u',
        properties: { pad: 'x'.repeat(INGEST_LIMITS.maxBodyBytes) },
      },
    ],
  }),
  json({
    events: [
      {
        type: 'custom',
        name: 'n',
        userId: 'u',
        properties: { pad: 'x'.repeat(INGEST_LIMITS.maxEventBytes) },
      },
    ],
  }),
  // Astral-plane text: few characters, many bytes (a 36 KiB property, a 1,200-byte user id).
  json({
    events: [
      { type: 'custom', name: '\u{1F600}'.repeat(300), userId: 'u', properties: {} },
      { type: 'click', userId: '\u{1F600}'.repeat(300) },
      { type: 'custom', name: 'n', userId: 'u', properties: { s: '\u{10FFFF}'.repeat(9_000) } },
    ],
  }),
  // The largest batch allowed.
  json({
    events: Array.from({ length: INGEST_LIMITS.maxEventsPerBatch }, (_, i) => ({
      type: 'page_view',
      userId: `u${i}`,
      properties: { path: `/p/${i}` },
    })),
  }),
);

const envelope = fc.record(
  {
    events: fc.array(anyEvent, { minLength: 0, maxLength: 30 }),
    sentAt: fc.oneof({ weight: 9, arbitrary: representableTimestamp }, timestamp, fc.jsonValue()),
  },
  { requiredKeys: ['events'] },
);

/** Every kind of body the test throws at `POST /v1/events`, weighted towards real batches. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 30, arbitrary: envelope.map(json) },
  { weight: 10, arbitrary: anyEvent.map(json) },
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json) },
  { weight: 3, arbitrary: bigNumberBody },
  { weight: 3, arbitrary: deeplyNested },
  { weight: 3, arbitrary: wrongContentType },
  { weight: 3, arbitrary: nonJsonBytes },
  { weight: 1, arbitrary: oversized },
);

/**
 * Whether ingest must refuse this event whatever else it holds: a reserved key, or a string
 * (key or value, at any depth) that Postgres text cannot hold as sent. The test's own oracle: a
 * NUL, or text that does not survive a round trip through UTF-8 (a lone surrogate).
 */
export function mustBeRefused(event: unknown): boolean {
  if (typeof event === 'string') return !storable(event);
  if (typeof event !== 'object' || event === null) return false;
  if (Array.isArray(event)) return event.some(mustBeRefused);
  return Object.entries(event).some(
    ([key, value]) =>
      (RESERVED_KEYS as readonly string[]).includes(key) || !storable(key) || mustBeRefused(value),
  );
}

function storable(text: string): boolean {
  return !text.includes('\u0000') && Buffer.from(text, 'utf8').toString('utf8') === text;
}
