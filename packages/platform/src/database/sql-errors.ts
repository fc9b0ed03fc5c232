const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * SQLSTATE classes that fail the same way on every try: data exceptions (22, e.g. a NUL in
 * text), integrity violations (23) and program limits (54, e.g. a btree index row too large).
 */
const PERMANENT_CLASSES = new Set(['22', '23', '54']);

/** Finds the Postgres SQLSTATE in an error, however Prisma's driver adapter wrapped it. */
export function sqlState(err: unknown): string | undefined {
  for (let current: unknown = err, depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; originalCode?: unknown; meta?: { code?: unknown } };
    for (const candidate of [e.originalCode, e.meta?.code, e.code]) {
      if (typeof candidate === 'string' && SQLSTATE.test(candidate)) return candidate;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Data, integrity and program-limit errors will fail the same way every time; everything else
 * (lost connections, restarts, deadlocks, serialization) may pass later.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  const state = sqlState(err);
  return state === undefined || !PERMANENT_CLASSES.has(state.slice(0, 2));
}
