import { randomBytes } from 'node:crypto';

/** W3C trace context header; NATS has no OpenTelemetry instrumentation in JS, so we carry it. */
export const TRACEPARENT_HEADER = 'traceparent';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** Keeps a valid incoming traceparent's trace id with a new span id, or starts a new trace. */
export function childTraceparent(incoming?: string | null): string {
  const traceId = TRACEPARENT.exec(incoming ?? '')?.[1] ?? randomBytes(16).toString('hex');
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}

export function traceIdOf(traceparent?: string | null): string | undefined {
  return TRACEPARENT.exec(traceparent ?? '')?.[1];
}
