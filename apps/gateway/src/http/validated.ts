import type { z } from 'zod';
import { ApiError } from './api-error.js';

export interface InvalidInput {
  /** Error code of the 400, e.g. `invalid_query`. */
  code: string;
  message: string;
  /** Name of the field that locates each issue in `details`: `param` for query parameters. */
  locator: 'path' | 'param';
}

/** Query parameters that do not match their schema. */
export const INVALID_QUERY: InvalidInput = {
  code: 'invalid_query',
  message: 'invalid query parameters',
  locator: 'param',
};

/** `schema`'s output for `input`, or a 400 whose `details` name every invalid field. */
export function validated<S extends z.ZodType>(
  schema: S,
  input: unknown,
  invalid: InvalidInput,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({
    [invalid.locator]: i.path.join('.'),
    message: i.message,
  }));
  throw new ApiError(400, invalid.code, invalid.message, details);
}
