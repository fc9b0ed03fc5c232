import { apiError, authorization } from './api.js';
import { sseMessages } from './sse-messages.js';

/** @typedef {import('@tally/contracts').RollupDelta} RollupDelta */
/** @typedef {import('./api.js').ApiError} ApiError */
/** @typedef {'connecting' | 'reconnecting' | 'live'} LiveState */
/**
 * @typedef {object} LiveHandlers
 * @property {(delta: RollupDelta) => void} onDelta
 * @property {(state: LiveState) => void} onState
 * @property {(error: ApiError) => void} onKeyRejected the key was refused: no retry follows
 */

const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Follows `GET /v1/live`, the project's rollup deltas as Server-Sent Events. NOTE: EventSource
 * cannot send an Authorization header, so the stream is read with fetch() and parsed here.
 * Reconnects with growing delays; the server does not replay missed deltas, so every (re)connect
 * is reported through `onState('live')` for the page to reload its numbers.
 * Returns a function that closes the stream for good.
 * @param {string} key
 * @param {LiveHandlers} handlers
 * @returns {() => void}
 */
export function followLiveDeltas(key, { onDelta, onState, onKeyRejected }) {
  const abort = new AbortController();
  const follow = async () => {
    for (let attempt = 0; !abort.signal.aborted; attempt++) {
      onState(attempt === 0 ? 'connecting' : 'reconnecting');
      try {
        const res = await fetch('/v1/live', {
          headers: { ...authorization(key), accept: 'text/event-stream' },
          cache: 'no-store',
          signal: abort.signal,
        });
        if (!res.ok || !res.body) {
          const error = await apiError(res);
          if (error.isKeyProblem) return onKeyRejected(error);
          throw error;
        }
        attempt = 0;
        onState('live');
        for await (const message of sseMessages(res.body)) {
          if (message.event === 'delta') onDelta(JSON.parse(message.data));
        }
      } catch {
        // A dropped connection or a 5xx: fall through to the retry below.
      }
      if (abort.signal.aborted) return;
      onState('reconnecting');
      const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
  void follow();
  return () => abort.abort();
}
