import { Counter, Gauge } from 'prom-client';

/** Why a `GET /v1/live` stream was refused. */
export type StreamRefusal = 'key_limit' | 'replica_limit';

/** Why an open stream ended. */
export type StreamCloseReason =
  | 'client_left'
  | 'slow_client'
  | 'key_revoked'
  | 'max_lifetime'
  | 'subscription_failed'
  | 'shutdown';

export const openLiveStreams = new Gauge({
  name: 'tally_gateway_live_streams',
  help: 'GET /v1/live streams open on this replica',
});

export const refusedLiveStreams = new Counter({
  name: 'tally_gateway_live_streams_refused_total',
  help: 'GET /v1/live streams refused with 429 because a limit was full, by limit (key or replica)',
  labelNames: ['reason'] as const,
});

export const closedLiveStreams = new Counter({
  name: 'tally_gateway_live_streams_closed_total',
  help: 'GET /v1/live streams ended, by why they ended',
  labelNames: ['reason'] as const,
});

// NOTE: series exist from the start, so a rate() over them has a zero to begin from.
for (const reason of ['key_limit', 'replica_limit'] satisfies StreamRefusal[]) {
  refusedLiveStreams.inc({ reason }, 0);
}
