export interface Hedging {
  /** The whole request's time: every attempt stays open until then. */
  totalMs: number;
  /** How long an attempt gets alone before the next one is sent alongside it. */
  attemptMs: number;
  /** Called when attempt `attempt` (1-based) had no answer within `attemptMs`. */
  onAttemptTimeout?: (attempt: number) => void;
}

const TIMED_OUT = Symbol('attempt timed out');

/**
 * Sends a request again each `attemptMs` without an answer until `totalMs` is spent, and settles
 * with whichever attempt settles first: a reply, or a failure such as "no responders". Earlier
 * attempts stay open, so a slow member's late reply still counts. For idempotent requests only.
 */
export async function firstOfHedgedAttempts<T>(
  send: (timeoutMs: number) => Promise<T>,
  { totalMs, attemptMs, onAttemptTimeout }: Hedging,
): Promise<T> {
  const deadline = Date.now() + totalMs;
  const attempts: Promise<T>[] = [];
  for (let attempt = 1; ; attempt++) {
    const next = send(Math.max(deadline - Date.now(), 1));
    // NOTE: only the race's winner is this call's outcome; a losing attempt's failure is not.
    next.catch(() => undefined);
    attempts.push(next);
    const window = deadline - Date.now();
    if (window <= attemptMs) return Promise.race(attempts);
    const outcome = await raceWithTimer(attempts, attemptMs);
    if (outcome !== TIMED_OUT) return outcome;
    onAttemptTimeout?.(attempt);
  }
}

async function raceWithTimer<T>(attempts: Promise<T>[], ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([...attempts, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
