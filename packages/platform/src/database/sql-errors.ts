const SQLSTATE = /^[0-9A-Z]{5}$/;

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
 * Data exceptions (class 22) and integrity violations (class 23) will fail the same way every
 * time; everything else (lost connections, restarts, deadlocks, serialization) may pass later.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  const state = sqlState(err);
  return !(state?.startsWith('22') || state?.startsWith('23'));
}
