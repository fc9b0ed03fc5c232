import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  timeoutMs: number;
  intervalMs?: number;
  what: string;
}

/**
 * Thrown by a probe when waiting longer cannot help (e.g. the process being
 * waited on has exited); waitFor rethrows it at once instead of retrying.
 */
export class GiveUpWaiting extends Error {
  override readonly name = 'GiveUpWaiting';
}

const NOT_YET = Symbol('not-yet');

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  opts: WaitForOptions,
): Promise<T> {
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const remaining = deadline - Date.now();
    try {
      // A probe that never settles must not outlive the deadline.
      const value = await withDeadline(probe(), Math.max(remaining, 1));
      if (value !== NOT_YET && value !== undefined && value !== false) return value;
    } catch (err) {
      if (err instanceof GiveUpWaiting) throw err;
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const suffix = lastError === undefined ? '' : `; last probe error: ${describe(lastError)}`;
      throw new Error(`timed out after ${opts.timeoutMs}ms waiting for ${opts.what}${suffix}`, {
        cause: lastError,
      });
    }
    await delay(Math.min(intervalMs, left));
  }
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof NOT_YET> {
  const controller = new AbortController();
  const timer = delay(ms, undefined, { signal: controller.signal }).then(
    (): typeof NOT_YET => NOT_YET,
    (): typeof NOT_YET => NOT_YET,
  );
  try {
    return await Promise.race([work, timer]);
  } finally {
    controller.abort();
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
