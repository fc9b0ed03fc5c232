import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { DestinationRefusedError, type AddressPolicy } from './address-policy.js';

export interface SendOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Bytes of the response body kept for the delivery log. */
  responseCap: number;
}

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  retryAfter: string | undefined;
  durationMs: number;
  /** The destination is refused for good (see `DestinationRefusedError.permanent`): no retry. */
  refused?: true;
}

const UNDICI_TIMEOUTS = new Set(['ConnectTimeoutError', 'HeadersTimeoutError', 'BodyTimeoutError']);

/** A `lookup` that answers every name with the address already checked: no second resolution. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}

/**
 * One POST to a webhook destination. The host is resolved and checked once by the policy, and
 * the connection goes to that address (TLS still verifies the certificate against the host
 * name). Redirects are not followed: a 3xx is a failed attempt, so a redirect can never lead
 * to an unchecked address. Only 2xx is success.
 */
export async function sendWebhook(
  policy: AddressPolicy,
  options: SendOptions,
): Promise<SendResult> {
  const started = Date.now();
  const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({
    ...r,
    durationMs: Date.now() - started,
  });
  /** An attempt that got no HTTP answer to record. */
  const failed = (error: string): SendResult =>
    done({ ok: false, statusCode: null, error, responseExcerpt: null, retryAfter: undefined });
  let target;
  try {
    target = await policy.check(options.url);
  } catch (err) {
    if (!(err instanceof DestinationRefusedError)) return failed('destination refused');
    return err.permanent ? { ...failed(err.message), refused: true } : failed(err.message);
  }
  const agent = new Agent({
    connect: { lookup: pinnedLookup(target.address, target.family), timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await request(options.url, {
      method: 'POST',
      dispatcher: agent,
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tally-Webhooks/1',
        ...options.headers,
      },
      body: options.body,
    });
    const excerpt = await readCapped(response.body, options.responseCap);
    const status = response.statusCode;
    const retryAfter = response.headers['retry-after'];
    return done({
      ok: status >= 200 && status < 300,
      statusCode: status,
      error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
      responseExcerpt: excerpt,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
    });
  } catch (err) {
    // NOTE: undici's own connect/headers/body timeouts equal the signal's and may fire first.
    const timedOut = signal.aborted || (err instanceof Error && UNDICI_TIMEOUTS.has(err.name));
    const message = timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : err instanceof Error
        ? `${err.name}: ${err.message}`
        : 'request failed';
    return failed(message);
  } finally {
    void agent.destroy().catch(() => undefined);
  }
}

/**
 * Reads at most `cap` bytes and drops the rest, so a huge response costs nothing to store.
 * NOTE: decoding as UTF-8 replaces invalid bytes with U+FFFD, but keeps NUL, which Postgres text
 * refuses: it is replaced too, or the attempt could not be logged.
 */
async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): void },
  cap: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= cap) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, cap).toString('utf8').replaceAll('\u0000', '\ufffd');
}
