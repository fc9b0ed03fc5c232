import type { JsonSchema } from './contract-schemas.js';

/**
 * Lists the ways `next` would break a producer or consumer written against `prev`: a removed
 * field, a field that became required, a narrowed type, enum, union or bound.
 */
export function breakingChanges(prev: JsonSchema, next: JsonSchema, path = '$'): string[] {
  return [
    ...typeChanges(prev, next, path),
    ...boundChanges(prev, next, path),
    ...objectChanges(prev, next, path),
    ...unionChanges(prev, next, path),
    ...itemChanges(prev, next, path),
  ];
}

function types(schema: JsonSchema): Set<string> | undefined {
  const t = schema.type;
  if (t === undefined) return undefined;
  return new Set(Array.isArray(t) ? (t as string[]) : [t as string]);
}

function typeChanges(prev: JsonSchema, next: JsonSchema, path: string): string[] {
  const out: string[] = [];
  const before = types(prev);
  const after = types(next);
  if (before && after) {
    for (const t of before) {
      if (!after.has(t) && !(t === 'integer' && after.has('number'))) {
        out.push(`${path}: type narrowed, no longer accepts ${t}`);
      }
    }
  } else if (!before && after) {
    out.push(`${path}: type narrowed to ${[...after].join('|')}`);
  }
  if ('const' in prev || 'const' in next) {
    if (JSON.stringify(prev.const) !== JSON.stringify(next.const)) {
      out.push(`${path}: constant changed`);
    }
  }
  if (Array.isArray(next.enum)) {
    const allowed = new Set((next.enum as unknown[]).map((v) => JSON.stringify(v)));
    const previous = Array.isArray(prev.enum) ? (prev.enum as unknown[]) : undefined;
    if (!previous) out.push(`${path}: narrowed to an enum`);
    for (const v of previous ?? []) {
      if (!allowed.has(JSON.stringify(v))) {
        out.push(`${path}: enum value ${JSON.stringify(v)} removed`);
      }
    }
  }
  for (const key of ['pattern', 'format'] as const) {
    if (next[key] !== undefined && next[key] !== prev[key]) out.push(`${path}: ${key} changed`);
  }
  return out;
}

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems'] as const;

function boundChanges(prev: JsonSchema, next: JsonSchema, path: string): string[] {
  const out: string[] = [];
  for (const key of LOWER_BOUNDS) {
    const a = prev[key] as number | undefined;
    const b = next[key] as number | undefined;
    if (b !== undefined && (a === undefined || b > a)) out.push(`${path}: ${key} raised to ${b}`);
  }
  for (const key of UPPER_BOUNDS) {
    const a = prev[key] as number | undefined;
    const b = next[key] as number | undefined;
    if (b !== undefined && (a === undefined || b < a)) out.push(`${path}: ${key} lowered to ${b}`);
  }
  return out;
}

function objectChanges(prev: JsonSchema, next: JsonSchema, path: string): string[] {
  const out: string[] = [];
  const before = (prev.properties ?? {}) as Record<string, JsonSchema>;
  const after = (next.properties ?? {}) as Record<string, JsonSchema>;
  const wasRequired = new Set((prev.required ?? []) as string[]);
  for (const name of (next.required ?? []) as string[]) {
    if (!wasRequired.has(name)) out.push(`${path}.${name}: now required`);
  }
  for (const [name, schema] of Object.entries(before)) {
    const successor = after[name];
    if (!successor) {
      out.push(`${path}.${name}: removed`);
      continue;
    }
    out.push(...breakingChanges(schema, successor, `${path}.${name}`));
  }
  if (prev.additionalProperties !== false && next.additionalProperties === false) {
    out.push(`${path}: no longer accepts additional properties`);
  }
  return out;
}

function unionChanges(prev: JsonSchema, next: JsonSchema, path: string): string[] {
  const out: string[] = [];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const before = prev[key] as JsonSchema[] | undefined;
    const after = next[key] as JsonSchema[] | undefined;
    if (!before) continue;
    if (!after || after.length < before.length) {
      out.push(`${path}: ${key} lost alternatives`);
      continue;
    }
    before.forEach((option, i) => {
      const successor = after[i];
      if (successor) out.push(...breakingChanges(option, successor, `${path}.${key}[${i}]`));
    });
  }
  return out;
}

function itemChanges(prev: JsonSchema, next: JsonSchema, path: string): string[] {
  const before = prev.items as JsonSchema | undefined;
  const after = next.items as JsonSchema | undefined;
  if (before && after) return breakingChanges(before, after, `${path}[]`);
  return [];
}
