import { z } from 'zod';

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether Postgres can store `value` as `text` or inside `jsonb`: it refuses NUL characters, and
 * a lone surrogate has no UTF-8 encoding at all.
 */
const isStorableText = (value: string): boolean =>
  !value.includes('\u0000') && !LONE_SURROGATE.test(value);

const STORABLE_TEXT_MESSAGE = 'must not contain NUL characters or lone UTF-16 surrogates';

/** `schema` refined to text Postgres can hold (see `isStorableText`). */
export const storableText = <S extends z.ZodType<string>>(schema: S) =>
  schema.refine(isStorableText, STORABLE_TEXT_MESSAGE);
