/**
 * Whether `value` nests arrays or objects more than `max` levels deep.
 * NOTE: V8's `JSON.stringify` and zod recurse and throw at a few thousand levels; such a body must
 * be refused before anything validates or serialises it. This walk recurses too, but never
 * more than `max + 1` frames: it stops descending where the limit is crossed, so a hostile
 * 500,000-level body cannot overflow the stack here. It allocates nothing (it runs on every
 * event of every request).
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestsDeeperThan(value[i], max - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (nestsDeeperThan((value as Record<string, unknown>)[key], max - 1)) return true;
  }
  return false;
}
