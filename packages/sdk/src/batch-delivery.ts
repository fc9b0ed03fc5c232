import { parseRetryAfter, retryDelayMs, type BackoffPolicy } from './retry-delay.js';
import type { QueuedEvent, RetryReport, TallyRejection } from './sdk-types.js';

export interface DeliveryOptions {
  url: string;
  writeKey: string;
  maxRetries: number;
  backoff: BackoffPolicy;
  requestTimeoutMs: number;
  fetch: typeof fetch;
  onRetry: (retry: RetryReport) => void;
}

export type DeliveryOutcome =
  | { kind: 'acknowledged'; accepted: number; rejections: TallyRejection[]; attempts: number }
  | { kind: 'refused'; status: number; code: string; message: string; attempts: number }
  | { kind: 'gave_up'; message: string; attempts: number };

type Attempt =
  | { kind: 'acknowledged'; accepted: number; rejections: TallyRejection[] }
  | { kind: 'refused'; status: number; code: string; message: string }
  | { kind: 'retryable'; reason: string; message: string; retryAfterMs: number | undefined };

/**
 * Sends one batch until the gateway acknowledges or refuses it, or retries run out.
 * NOTE: every attempt carries the same events in the same order with the same ids (only
 * `sentAt` is refreshed): ingest dedupes a stored batch by its event ids, so anything else
 * could count a half-stored request twice.
 */
export async function deliverBatch(
  events: readonly QueuedEvent[],
  opts: DeliveryOptions,
): Promise<DeliveryOutcome> {
  for (let retry = 0; ; retry++) {
    const attempt = await attemptOnce(events, opts);
    const attempts = retry + 1;
    if (attempt.kind !== 'retryable') return { ...attempt, attempts };
    if (retry >= opts.maxRetries) {
      return {
        kind: 'gave_up',
        message: `${attempt.message} after ${attempts} attempts`,
        attempts,
      };
    }
    const delayMs = retryDelayMs(retry, opts.backoff, attempt.retryAfterMs);
    opts.onRetry({ attempt: attempts, delayMs, reason: attempt.reason, events: events.length });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

async function attemptOnce(
  events: readonly QueuedEvent[],
  opts: DeliveryOptions,
): Promise<Attempt> {
  let response: Response;
  let text: string;
  try {
    response = await opts.fetch(opts.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${opts.writeKey}`,
      },
      body: JSON.stringify({ events, sentAt: new Date().toISOString() }),
      signal: AbortSignal.timeout(opts.requestTimeoutMs),
    });
    text = await response.text();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { kind: 'retryable', reason: 'network', message, retryAfterMs: undefined };
  }
  const status = response.status;
  if (status >= 200 && status < 300) return acknowledged(events, text);
  if (status === 429 || status >= 500) {
    return {
      kind: 'retryable',
      reason: String(status),
      message: `HTTP ${status}`,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    };
  }
  const error = errorBody(text);
  return {
    kind: 'refused',
    status,
    code: error?.code ?? `http_${status}`,
    message: error?.message ?? `HTTP ${status}`,
  };
}

interface AcceptedBody {
  accepted?: unknown;
  rejected?: Array<{ index?: unknown; errors?: unknown }>;
}

function acknowledged(events: readonly QueuedEvent[], text: string): Attempt {
  const body = parseJson(text) as AcceptedBody | undefined;
  const rejections: TallyRejection[] = [];
  for (const rejection of Array.isArray(body?.rejected) ? body.rejected : []) {
    const event = typeof rejection.index === 'number' ? events[rejection.index] : undefined;
    if (event === undefined) continue;
    const errors = Array.isArray(rejection.errors) ? rejection.errors : [];
    rejections.push({ event, errors: errors as TallyRejection['errors'] });
  }
  const accepted =
    typeof body?.accepted === 'number' ? body.accepted : events.length - rejections.length;
  return { kind: 'acknowledged', accepted, rejections };
}

function errorBody(text: string): { code: string; message: string } | undefined {
  const body = parseJson(text) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const code = body?.error?.code;
  const message = body?.error?.message;
  if (typeof code !== 'string') return undefined;
  return { code, message: typeof message === 'string' ? message : code };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
