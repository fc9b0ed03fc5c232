import { setTimeout as delay } from 'node:timers/promises';

export interface Rejection {
  index: number;
  errors: Array<{ path: string; code: string; message: string }>;
}

export interface Accepted {
  accepted: number;
  rejected: Rejection[];
}

export interface PostAnswer {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

/** One `POST /v1/events`; throws only on network errors. */
export async function postEvents(
  baseUrl: string,
  writeKey: string,
  bodyText: string,
): Promise<PostAnswer> {
  const res = await fetch(`${baseUrl}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
    body: bodyText,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the raw text
  }
  return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
}

/** Posts and insists on a 202 at once. */
export async function postExpect202(
  baseUrl: string,
  writeKey: string,
  body: unknown,
): Promise<Accepted> {
  const answer = await postEvents(baseUrl, writeKey, JSON.stringify(body));
  if (answer.status !== 202) {
    throw new Error(`POST /v1/events answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body as Accepted;
}

export interface RetryStats {
  /** non-202 answers (5xx) and network errors, per kind. */
  failures: Map<string, number>;
}

/**
 * A well-behaved client: sends the SAME bytes again after any 5xx (honouring Retry-After, at most
 * 2 s) or network error, until a 202 or until `giveUpMs` have passed. A 4xx is a bug: it throws.
 */
export async function postUntilStored(
  baseUrl: string,
  writeKey: string,
  bodyText: string,
  onFailure: (kind: string, elapsedMs: number) => void,
  giveUpMs = 60_000,
): Promise<Accepted> {
  const deadline = Date.now() + giveUpMs;
  for (let attempt = 1; ; attempt++) {
    let waitMs: number;
    let kind: string;
    const attemptStarted = Date.now();
    try {
      const answer = await postEvents(baseUrl, writeKey, bodyText);
      if (answer.status === 202) return answer.body as Accepted;
      if (answer.status < 500) {
        throw new Error(
          `POST /v1/events answered ${answer.status}: ${JSON.stringify(answer.body)}`,
        );
      }
      kind =
        `${answer.status} ${(answer.body as { error?: { code?: string } })?.error?.code ?? ''}`.trim();
      const retryAfter = Number(answer.retryAfter);
      waitMs =
        Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 2_000) : 250;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('POST /v1/events answered')) throw err;
      kind = `network: ${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)}`;
      waitMs = 250;
    }
    onFailure(kind, Date.now() - attemptStarted);
    if (Date.now() + waitMs > deadline) {
      throw new Error(
        `gave up after ${attempt} attempts over ${giveUpMs} ms; last failure: ${kind}`,
      );
    }
    await delay(waitMs);
  }
}

export interface SeriesPoint {
  bucket: string;
  dimension?: string;
  count: number;
  uniqueUsers: number;
  revenue: Record<string, string>;
}

/** `GET /v1/metrics`; throws unless 200. */
export async function getSeries(
  baseUrl: string,
  readKey: string,
  params: Record<string, string | undefined>,
): Promise<SeriesPoint[]> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, value);
  const res = await fetch(`${baseUrl}/v1/metrics?${query.toString()}`, {
    headers: { authorization: `Bearer ${readKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(`GET /v1/metrics?${query.toString()} answered ${res.status}: ${text}`);
  }
  return (JSON.parse(text) as { series: SeriesPoint[] }).series;
}

/** "12.340000" → 12340000n, exactly (no floating point). */
export function decimalToMicros(value: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(value);
  if (!match) {
    throw new Error(`not a non-negative decimal with at most 6 places: ${JSON.stringify(value)}`);
  }
  return BigInt(match[1] as string) * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0') || '0');
}
