import { Counter, Gauge } from 'prom-client';

/** Connections the gateway holds open right now. */
export const openConnections = new Gauge({
  name: 'tally_gateway_http_connections_open',
  help: 'HTTP connections the gateway holds open',
});

/** Connections refused because the gateway already held `HTTP_MAX_CONNECTIONS`. */
export const refusedConnections = new Counter({
  name: 'tally_gateway_http_connections_refused_total',
  help: 'HTTP connections closed on arrival because the gateway held HTTP_MAX_CONNECTIONS',
});

/** Connections the gateway closed because the client was too slow or silent. */
export const timedOutConnections = new Counter({
  name: 'tally_gateway_http_connections_closed_total',
  help:
    'HTTP connections the gateway closed because the client was too slow: request_timeout ' +
    '(headers or body not received in time), idle (nothing sent or received for too long)',
  labelNames: ['reason'] as const,
});
