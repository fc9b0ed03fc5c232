/** Realistic bodies for the OpenAPI document; a test validates each against its schema. */

const RULE_ID = '9b2f0c4e-5d1a-4f7e-8c3b-2a6d9e1f0b47';
const CREATED_AT = '2026-11-25T21:00:00.000Z';

export const TRACK_ONE = {
  type: 'click',
  userId: 'u_1842',
  properties: { element: 'buy-button', page: '/pricing' },
};

export const TRACK_BATCH = {
  sentAt: '2026-11-25T21:00:00.120Z',
  events: [
    {
      id: '0f8e3c1a-6b2d-4e5f-9a7c-1d2e3f4a5b6c',
      type: 'purchase',
      userId: 'u_1842',
      timestamp: '2026-11-25T20:59:58.000Z',
      properties: { orderId: 'o-20931', amount: 49.9, currency: 'EUR' },
    },
    { type: 'login', userId: 'u_77', properties: { method: 'password', success: true } },
    { type: 'page_view', userId: 'u_77', properties: { path: '/checkout' } },
    { type: 'custom', name: 'video_played', userId: 'u_77', properties: { seconds: 31 } },
  ],
};

/** The answer to `TRACK_BATCH` had its login event said `"success": "yes"`. */
export const TRACK_REPLY = {
  accepted: 3,
  rejected: [
    {
      index: 1,
      errors: [
        {
          path: 'properties.success',
          code: 'invalid_type',
          message: 'Invalid input: expected boolean, received string',
        },
      ],
    },
  ],
};

export const METRICS_REPLY = {
  series: [
    { bucket: '2026-11-25T19:00:00.000Z', count: 1520, uniqueUsers: 311, revenue: {} },
    {
      bucket: '2026-11-25T20:00:00.000Z',
      count: 1874,
      uniqueUsers: 402,
      revenue: { EUR: '2450.5', USD: '99' },
    },
  ],
};

export const REJECTED_REPLY = {
  rejected: [
    {
      seq: 42,
      receivedAt: '2026-11-25T21:00:00.000Z',
      requestId: '5c2d7e9a-3b1f-4c6d-8e0a-7f9b2c4d6e8f',
      index: 1,
      errors: [{ path: 'type', code: 'invalid_union', message: 'Invalid input' }],
      excerpt: '{"type":"hover","userId":"u_77"}',
    },
  ],
};

export const LIVE_STREAM =
  'retry: 3170\n: connected\n\n' +
  'event: delta\n' +
  'data: {"projectId":"demo","partition":3,"seq":1207,"rows":[{"type":"click","dimension":"buy-button",' +
  '"bucket":1795640400000,"count":12,"revenueMicros":{}}]}\n\n' +
  ': ping\n\n';

export const ALERT_BODY = {
  name: 'checkout clicks spike',
  metric: 'count',
  eventType: 'click',
  dimension: 'buy',
  window: '5m',
  comparison: 'above',
  threshold: 100,
  cooldown: '15m',
  destinations: [
    { url: 'https://hooks.example.com/tally' },
    { url: 'https://hooks.slack.com/services/T000/B000/XXX', format: 'slack' },
  ],
};

export const ALERT_PATCH = { threshold: 250, cooldown: '30m' };

export const ALERT_RULE = {
  id: RULE_ID,
  projectId: 'demo',
  name: 'checkout clicks spike',
  metric: 'count',
  eventType: 'click',
  dimension: 'buy',
  windowSeconds: 300,
  comparison: 'above',
  threshold: 100,
  cooldownSeconds: 900,
  hysteresisPct: 0,
  destinations: [
    { url: 'https://hooks.example.com/tally', format: 'standard' },
    { url: 'https://hooks.slack.com/services/T000/B000/XXX', format: 'slack' },
  ],
  enabled: true,
  state: 'ok',
  lastValue: null,
  lastEvaluatedAt: null,
  lastFiredAt: null,
  createdAt: CREATED_AT,
  updatedAt: CREATED_AT,
};

export const ALERT_CREATED = {
  rule: ALERT_RULE,
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

export const ALERT_PATCHED = {
  rule: {
    ...ALERT_RULE,
    threshold: 250,
    cooldownSeconds: 1800,
    state: 'firing',
    lastValue: 131,
    lastEvaluatedAt: '2026-11-25T21:20:05.000Z',
    lastFiredAt: '2026-11-25T21:20:05.000Z',
    updatedAt: '2026-11-25T21:25:00.000Z',
  },
};

export const DELIVERIES = {
  deliveries: [
    {
      id: 'msg_2b7f4c9d1e3a5f60',
      ruleId: RULE_ID,
      url: 'https://hooks.example.com/tally',
      event: 'alert.firing',
      status: 'succeeded',
      attempts: 2,
      nextAttemptAt: null,
      lastError: null,
      createdAt: '2026-11-25T21:20:05.000Z',
      log: [
        {
          attempt: 1,
          at: '2026-11-25T21:20:05.010Z',
          durationMs: 10002,
          statusCode: null,
          error: 'timeout after 10000 ms',
          responseExcerpt: null,
        },
        {
          attempt: 2,
          at: '2026-11-25T21:20:15.400Z',
          durationMs: 87,
          statusCode: 200,
          error: null,
          responseExcerpt: 'ok',
        },
      ],
    },
  ],
};

export const PROJECT = { id: '3f9c1a0b7d2e4c55', name: 'My shop', createdAt: CREATED_AT };

export const ISSUED_KEY = {
  keyId: 'key_5e0d6f1a2b3c4d5e',
  kind: 'write',
  createdAt: '2026-11-25T21:01:00.000Z',
  key: 'tw_Vb2mX9qLk3RtY7uZp0wE4sD6fG8hJ1aQnC5vB9xM2kL',
};

export const REVOKED_KEY = {
  keyId: 'key_5e0d6f1a2b3c4d5e',
  kind: 'write',
  createdAt: '2026-11-25T21:01:00.000Z',
  revokedAt: '2026-11-25T22:10:00.000Z',
};

export const KEYS = {
  keys: [
    REVOKED_KEY,
    { keyId: 'key_8a1b2c3d4e5f6a7b', kind: 'read', createdAt: '2026-11-25T21:02:00.000Z' },
  ],
};

export const READY = {
  status: 'ok',
  info: { nats: { status: 'up' } },
  error: {},
  details: { nats: { status: 'up' } },
};

export const NOT_READY = {
  status: 'error',
  info: {},
  error: { nats: { status: 'down' } },
  details: { nats: { status: 'down' } },
};

export const PROMETHEUS_TEXT =
  '# HELP tally_http_requests_total HTTP requests\n' +
  '# TYPE tally_http_requests_total counter\n' +
  'tally_http_requests_total{method="POST",route="/v1/events",status="202"} 1874\n';
