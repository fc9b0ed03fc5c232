import { INGEST_LIMITS } from './limits.js';

/** Machine-readable reasons an event is refused for what it carries, beside zod's own codes. */
export const CONTENT_REJECTIONS = {
  /** A NUL or a lone surrogate: Postgres refuses the first and silently replaces the second. */
  unstorableText: 'unstorable_text',
  /** `__proto__`, `constructor` or `prototype` as a key: could pollute prototypes downstream. */
  reservedKey: 'reserved_key',
  /** A dimension too long in UTF-8 for the rollups' primary-key index. */
  dimensionTooLong: 'dimension_too_long',
} as const;

export interface ContentProblem {
  path: Array<string | number>;
  reason: string;
  message: string;
}

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * NUL, or a UTF-16 surrogate without its other half. Postgres text refuses NUL ("invalid byte
 * sequence"), and a lone surrogate reaches it as U+FFFD, so two different strings would be
 * counted as one.
 */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** NUL or any surrogate: most text has neither, and this is the cheaper test. */
const SUSPECT = /[\0\uD800-\uDFFF]/;

/** Whether Postgres stores `text` exactly as it is. */
export function isStorableText(text: string): boolean {
  return !SUSPECT.test(text) || !UNSTORABLE.test(text);
}

/** Whether `text` fits a rollup dimension (see `INGEST_LIMITS.maxDimensionBytes`). */
export function fitsDimension(text: string): boolean {
  // NOTE: at most 3 UTF-8 bytes per UTF-16 code unit, so short strings need no counting.
  const max = INGEST_LIMITS.maxDimensionBytes;
  return text.length * 3 <= max || utf8Length(text) <= max;
}

/** Bytes of `text` in UTF-8 (a surrogate pair: 4), without encoding it; no Node `Buffer` here. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes += unit < 0x80 ? 1 : unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}

/**
 * Every reserved key and every key or string Postgres could not store, anywhere in a parsed
 * JSON value, up to `INGEST_LIMITS.maxContentProblems` of them (a hostile event cannot make
 * its rejection larger than itself).
 */
export function contentProblems(value: unknown): ContentProblem[] {
  const found: ContentProblem[] = [];
  walk(value, [], found);
  return found;
}

/** `path` is the walk's own stack (pushed and popped, copied only into a problem). */
function walk(value: unknown, path: Array<string | number>, found: ContentProblem[]): void {
  if (typeof value === 'string') {
    if (!isStorableText(value)) found.push(unstorable([...path]));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && found.length < INGEST_LIMITS.maxContentProblems; i++) {
      path.push(i);
      walk(value[i], path, found);
      path.pop();
    }
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (found.length >= INGEST_LIMITS.maxContentProblems) return;
    path.push(key);
    if (RESERVED_KEYS.has(key)) {
      found.push({
        path: [...path],
        reason: CONTENT_REJECTIONS.reservedKey,
        message: 'reserved key',
      });
    } else if (!isStorableText(key)) {
      found.push(unstorable([...path]));
    } else {
      walk(item, path, found);
    }
    path.pop();
  }
}

function unstorable(path: Array<string | number>): ContentProblem {
  return {
    path,
    reason: CONTENT_REJECTIONS.unstorableText,
    message: 'contains NUL or a lone UTF-16 surrogate, which storage cannot hold',
  };
}
