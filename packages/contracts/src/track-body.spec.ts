import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INGEST_LIMITS } from './limits.js';
import { countTrackEvents, parseTrackBody } from './track-body.js';

const click = { type: 'click', userId: 'u1', properties: {} };
const codeOf = (text: Uint8Array | string | undefined) => {
  const parsed = parseTrackBody(text);
  return parsed.ok ? 'ok' : parsed.error.code;
};

describe('parseTrackBody', () => {
  it('reads one event and a batch into the batch form, from text or bytes', () => {
    assert.deepEqual(parseTrackBody(JSON.stringify(click)), {
      ok: true,
      batch: { events: [click] },
      plainText: true,
    });
    const sentAt = '2026-11-26T10:00:00.000Z';
    const bytes = new TextEncoder().encode(JSON.stringify({ events: [click, click], sentAt }));
    assert.deepEqual(parseTrackBody(bytes), {
      ok: true,
      batch: { events: [click, click], sentAt },
      plainText: true,
    });
  });

  it('leaves the events unchecked: one bad event is not a bad body', () => {
    const parsed = parseTrackBody('{"events": [{"type": "nope"}, 42]}');
    assert.deepEqual(parsed, {
      ok: true,
      batch: { events: [{ type: 'nope' }, 42] },
      plainText: true,
    });
  });

  it('says a body is plain text only when no event in it can carry unstorable text or a reserved key', () => {
    const plain = (text: string | Uint8Array) => {
      const parsed = parseTrackBody(text);
      return parsed.ok && parsed.plainText;
    };
    assert.equal(plain(JSON.stringify({ ...click, userId: 'ünï 😀 \n' })), true);
    assert.equal(plain(new TextEncoder().encode(JSON.stringify(click))), true);
    for (const hostile of [
      '{"type":"click","userId":"a\\u0000b"}',
      '{"type":"click","userId":"\\ud800"}',
      '{"type":"click","userId":"\\u00e9"}',
      '{"type":"click","userId":"u","properties":{"__proto__":{}}}',
      '{"type":"click","userId":"u","properties":{"\\u005f_proto__":{}}}',
      '{"type":"click","userId":"u","properties":{"constructor":1}}',
      '{"type":"click","userId":"u","properties":{"prototype":1}}',
      `{"type":"click","userId":"${'\ud800'}"}`,
    ]) {
      assert.equal(plain(hostile), false, hostile);
    }
  });

  it('refuses what is not JSON as malformed_json', () => {
    assert.equal(codeOf('{"events": ['), 'malformed_json');
    assert.equal(codeOf(''), 'malformed_json');
  });

  it('leaves prototype-polluting keys inside an event to that event, polluting nothing', () => {
    const hostile =
      '{"events": [{"type": "click", "userId": "u", "__proto__": {"admin": true}},' +
      ' {"type": "custom", "name": "n", "userId": "u", "properties": {"constructor": {"prototype": {"admin": true}}}},' +
      ' {"type": "click", "userId": "u2"}]}';
    const parsed = parseTrackBody(hostile);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.batch.events.length, 3);
    const first = parsed.batch.events[0] as object;
    assert.ok(Object.hasOwn(first, '__proto__'), 'kept as an own key for the event check');
    assert.equal(Object.getPrototypeOf(first), Object.prototype);
    assert.equal(codeOf('{"type": "click", "userId": "u", "__proto__": {"admin": true}}'), 'ok');
    assert.equal(({} as Record<string, unknown>)['admin'], undefined);
  });

  it('drops a prototype-polluting key beside the events like any unknown envelope key', () => {
    const events = [{ type: 'click', userId: 'u' }];
    const parsed = parseTrackBody(`{"events": ${JSON.stringify(events)}, "__proto__": {"x": 1}}`);
    assert.deepEqual(parsed, { ok: true, batch: { events }, plainText: false });
    assert.ok(parsed.ok && Object.getPrototypeOf(parsed.batch) === Object.prototype);
  });

  it('refuses a body that is neither an event nor a batch, or an invalid envelope', () => {
    assert.equal(codeOf(undefined), 'invalid_body');
    assert.equal(codeOf('[]'), 'invalid_body');
    assert.equal(codeOf('"click"'), 'invalid_body');
    assert.equal(codeOf('{"events": []}'), 'invalid_body');
    const parsed = parseTrackBody('{"events": [{}], "sentAt": "yesterday"}');
    assert.ok(!parsed.ok);
    assert.deepEqual(
      parsed.error.details?.map((d) => d['path']),
      ['sentAt'],
    );
  });

  it('refuses too many events and too deep nesting before validating anything', () => {
    const tooMany = {
      events: Array.from({ length: INGEST_LIMITS.maxEventsPerBatch + 1 }, () => click),
    };
    assert.equal(codeOf(JSON.stringify(tooMany)), 'too_many_events');
    const depth = 100_000;
    assert.equal(codeOf(`{"events": [${'['.repeat(depth)}${']'.repeat(depth)}]}`), 'too_deep');
    const limit = INGEST_LIMITS.maxNestingDepth - 2;
    assert.equal(codeOf(`{"events": [${'['.repeat(limit)}${']'.repeat(limit)}]}`), 'ok');
  });

  it('counts events as it reads them, byte-order marks included, before any check', () => {
    const batch = JSON.stringify({ events: Array.from({ length: 600 }, () => click) });
    const withBom = new TextEncoder().encode(`\uFEFF${batch}`);
    assert.equal(countTrackEvents(withBom), 600);
    assert.equal(parseTrackBody(withBom).ok, false, 'too many, but read the same way');
    assert.equal(countTrackEvents(JSON.stringify(click)), 1);
    assert.equal(countTrackEvents('{"events": "many"}'), 1);
    assert.equal(countTrackEvents('{"events": ['), undefined);
  });
});
