/**
 * Whether `value` nests arrays or objects more than `max` levels deep. Iterative, so a
 * hostile 500,000-level body cannot overflow the stack here.
 * NOTE: V8's `JSON.stringify` recurses and throws at a few thousand levels; such a body must be
 * refused before anything serialises it on its way to ingest.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > max) return true;
    for (const child of Object.values(item.value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth });
    }
  }
  return false;
}
