export interface Hedging<T> {
  /** The whole request's time: every attempt stays open until then. */
  totalMs: number;
  /** How long an attempt gets alone before the next one is sent alongside it. */
  attemptMs: number;
  /** Called when attempt `attempt` (1-based) had no answer within `attemptMs`. */
  onAttemptTimeout?: (attempt: number) => void;
  /**
   * Whether a reply is the answer (a query's `ok` reply, say); any reply when absent. A reply
   * that is not (a refusal) ends the request only as the first attempt's outcome, below.
   */
  isAnswer?: (reply: T) => boolean;
}

/**
 * Sends a request again each `attemptMs` without an answer until `totalMs` is spent. The first
 * answer of any attempt wins; earlier attempts stay open, so a slow member's late answer still
 * counts. Anything else (a refusal, an error reply, "no responders") never wins while another
 * attempt is pending: once every attempt sent has settled without an answer, the request ends
 * with the first attempt's outcome. So a later attempt refused by a busy member cannot cut short
 * an earlier one that is running. For idempotent requests only.
 */
export function firstOfHedgedAttempts<T>(
  send: (timeoutMs: number) => Promise<T>,
  { totalMs, attemptMs, onAttemptTimeout, isAnswer = () => true }: Hedging<T>,
): Promise<T> {
  const deadline = Date.now() + totalMs;
  const attempts: Array<Promise<T>> = [];
  let pending = 0;
  return new Promise<T>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    // NOTE: resolving with an attempt's promise takes on its outcome, failure included.
    const end = (attempt: Promise<T>): void => {
      ended = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const settled = (attempt: Promise<T>, answered: boolean): void => {
      pending -= 1;
      if (ended) return;
      if (answered) end(attempt);
      else if (pending === 0) end(attempts[0]!);
    };
    const sendAttempt = (): void => {
      const attempt = send(Math.max(deadline - Date.now(), 1));
      attempts.push(attempt);
      pending += 1;
      attempt.then(
        (reply) => settled(attempt, isAnswer(reply)),
        () => settled(attempt, false),
      );
      if (deadline - Date.now() <= attemptMs) return;
      timer = setTimeout(() => {
        onAttemptTimeout?.(attempts.length);
        sendAttempt();
      }, attemptMs);
    };
    sendAttempt();
  });
}
