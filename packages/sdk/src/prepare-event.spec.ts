import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareEvent } from './prepare-event.js';

const now = new Date('2026-11-25T12:00:00.000Z');

test('assigns an id and a timestamp when missing, keeps them when given', () => {
  const fresh = prepareEvent({ type: 'click', userId: 'u1' }, now);
  assert.ok(fresh.ok);
  assert.match(fresh.event.id, /^[0-9a-f-]{36}$/);
  assert.equal(fresh.event.timestamp, now.toISOString());
  assert.deepEqual(fresh.event.properties, {});

  const id = '0b6d6a56-3d0e-4c43-9d59-5a2c1f3ad9b1';
  const given = prepareEvent(
    {
      type: 'login',
      userId: 'u1',
      id,
      timestamp: new Date(0),
      properties: { method: 'sso', success: true },
    },
    now,
  );
  assert.ok(given.ok);
  assert.equal(given.event.id, id);
  assert.equal(given.event.timestamp, '1970-01-01T00:00:00.000Z');
});

test('refuses what the gateway would refuse for sure', () => {
  const bad: unknown[] = [
    null,
    [],
    { type: 'scroll', userId: 'u1' },
    { type: 'click', userId: '' },
    { type: 'custom', userId: 'u1' },
    { type: 'click', userId: 'u1', properties: 'x' },
    { type: 'click', userId: 'u1', timestamp: 'yesterday' },
    { type: 'click', userId: 'u1', properties: { blob: 'x'.repeat(40_000) } },
  ];
  for (const event of bad) {
    assert.equal(prepareEvent(event, now).ok, false, JSON.stringify(event)?.slice(0, 80));
  }
});
