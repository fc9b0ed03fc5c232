/** An item that could not be applied, with the error that refused it. */
export interface Refused<T> {
  item: T;
  error: unknown;
}

/**
 * Applies `items` in as few attempts as it can: all together first; when an attempt fails for
 * good, each half on its own, down to single items, which are refused with their error. Each
 * attempt must be all-or-nothing (e.g. under a savepoint). A failure that may pass later is
 * rethrown, so that the caller retries the whole.
 *
 * NOTE: k refused items out of n cost about 2k·log2(n) attempts; one clean attempt when none is.
 */
export async function applyBisecting<T>(
  items: readonly T[],
  attempt: (items: readonly T[]) => Promise<void>,
  isPermanent: (err: unknown) => boolean,
): Promise<Refused<T>[]> {
  if (items.length === 0) return [];
  try {
    await attempt(items);
    return [];
  } catch (error) {
    if (!isPermanent(error)) throw error;
    if (items.length === 1) return [{ item: items[0] as T, error }];
    const half = Math.ceil(items.length / 2);
    const first = await applyBisecting(items.slice(0, half), attempt, isPermanent);
    const second = await applyBisecting(items.slice(half), attempt, isPermanent);
    return [...first, ...second];
  }
}
