import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { breakingChanges } from './breaking-changes.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s) as Record<string, unknown>;

const v1 = z.object({
  id: z.string(),
  kind: z.enum(['a', 'b']),
  count: z.number().int().min(0),
  note: z.string().optional(),
});

describe('breakingChanges', () => {
  it('finds nothing when a schema only gains an optional field', () => {
    const v2 = v1.extend({ extra: z.string().optional() });
    assert.deepEqual(breakingChanges(schema(v1), schema(v2)), []);
  });

  it('flags a removed or renamed field', () => {
    const v2 = z.object({
      identifier: z.string(),
      kind: z.enum(['a', 'b']),
      count: z.number().int().min(0),
      note: z.string().optional(),
    });
    const found = breakingChanges(schema(v1), schema(v2));
    assert.ok(found.includes('$.id: removed'), found.join('\n'));
    assert.ok(found.includes('$.identifier: now required'), found.join('\n'));
  });

  it('flags an optional field that became required', () => {
    const v2 = v1.extend({ note: z.string() });
    assert.deepEqual(breakingChanges(schema(v1), schema(v2)), ['$.note: now required']);
  });

  it('flags narrowed types, enums and bounds', () => {
    const v2 = v1.extend({
      id: z.number(),
      kind: z.enum(['a']),
      count: z.number().int().min(1),
    });
    const found = breakingChanges(schema(v1), schema(v2));
    assert.deepEqual(found.sort(), [
      '$.count: minimum raised to 1',
      '$.id: type narrowed, no longer accepts string',
      '$.kind: enum value "b" removed',
    ]);
  });
});
