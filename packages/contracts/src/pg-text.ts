import { z } from 'zod';
import { isStorableText } from './event-content.js';

const STORABLE_TEXT_MESSAGE = 'must not contain NUL characters or lone UTF-16 surrogates';

/** `schema` refined to text Postgres can hold as sent (see `isStorableText`). */
export const storableText = <S extends z.ZodType<string>>(schema: S) =>
  schema.refine(isStorableText, STORABLE_TEXT_MESSAGE);
