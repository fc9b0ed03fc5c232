import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';

export interface PostOutcome {
  accepted: number;
  /** Failed attempts (5xx, network errors) before the 202. */
  failures: string[];
}

/** A 4xx, or an answer that is not the expected shape: a bug in the bench or the stack. */
export class FatalAnswer extends Error {}

/**
 * Posts `body` until a 202, sending the SAME bytes again after a 5xx (honouring Retry-After, at
 * most 2 s) or a network error, as a well-behaved client does. Identical bytes carry identical
 * event ids, so a retry of something that was stored after all dedupes instead of counting twice.
 */
export async function postUntilStored(
  dispatcher: Dispatcher,
  path: string,
  headers: Record<string, string>,
  body: string,
  expected: number,
  giveUpMs = 60_000,
): Promise<PostOutcome> {
  const deadline = Date.now() + giveUpMs;
  const failures: string[] = [];
  for (;;) {
    let waitMs = 200;
    try {
      const res = await dispatcher.request({
        path,
        method: 'POST',
        headers,
        body,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      const text = await res.body.text();
      if (res.statusCode === 202) {
        const answer = JSON.parse(text) as { accepted?: unknown; rejected?: unknown[] };
        if (answer.accepted !== expected || (answer.rejected?.length ?? 0) > 0) {
          throw new FatalAnswer(`expected ${expected} accepted, got ${text.slice(0, 500)}`);
        }
        return { accepted: expected, failures };
      }
      if (res.statusCode < 500) {
        throw new FatalAnswer(`POST ${path} answered ${res.statusCode}: ${text.slice(0, 500)}`);
      }
      failures.push(`HTTP ${res.statusCode}`);
      const retryAfter = Number(res.headers['retry-after']);
      if (Number.isFinite(retryAfter) && retryAfter > 0) waitMs = Math.min(retryAfter * 1000, 2000);
    } catch (err) {
      if (err instanceof FatalAnswer) throw err;
      failures.push(`network: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (Date.now() + waitMs > deadline) {
      throw new FatalAnswer(`gave up after ${failures.length} failed attempts: ${failures.at(-1)}`);
    }
    await delay(waitMs);
  }
}
