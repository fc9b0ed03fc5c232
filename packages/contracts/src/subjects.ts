/**
 * Every NATS subject and JetStream stream Tally uses. Handlers and publishers use these
 * constants; no subject is spelled anywhere else.
 */
export const SUBJECTS = {
  /**
   * Core request/reply, queue group `ingest`. Versioned with the request's format (contracts v2:
   * the client's body with headers), so a gateway and an ingest that cannot read each other
   * never meet: the gateway sees no responders and answers 503.
   */
  ingestBatch: 'tally.ingest.batch.v2',
  /** Core request/reply, queue group `aggregator`. */
  metricsQuery: 'tally.metrics.query',
  /** Core request/reply, queue group `notifier`: alert rule CRUD (`AlertRuleRequest`). */
  alertRules: 'tally.alerts.rules',
  /** Core request/reply, queue group `notifier`: a rule's delivery log (`DeliveryLogQuery`). */
  alertDeliveries: 'tally.alerts.deliveries',
  /** JetStream `STREAMS.events`, one subject per partition. */
  events: (partition: number) => `tally.events.${partition}`,
  /** JetStream `STREAMS.rejected`, one subject per project. */
  rejected: (projectId: string) => `tally.rejected.${projectId}`,
  /** JetStream `STREAMS.rollups`, one subject per project. */
  rollups: (projectId: string) => `tally.rollups.${projectId}`,
  /** Core publish (no persistence) for the live view. */
  live: (projectId: string) => `tally.live.${projectId}`,
  /** Core publish to every gateway replica (no queue group): `RateLimitUsage` reports. */
  rateLimitUsage: 'tally.gateway.rate-usage',
  /** JetStream `STREAMS.dead`: `tally.dead.<stream>.<consumer>`. */
  dead: (stream: string, consumer: string) => `tally.dead.${stream}.${consumer}`,
} as const;

export const STREAMS = {
  events: { name: 'TALLY_EVENTS', subjects: ['tally.events.*'] },
  rejected: { name: 'TALLY_REJECTED', subjects: ['tally.rejected.*'] },
  rollups: { name: 'TALLY_ROLLUPS', subjects: ['tally.rollups.*'] },
  dead: { name: 'TALLY_DEAD', subjects: ['tally.dead.>'] },
} as const;

export const QUEUE_GROUPS = {
  ingest: 'ingest',
  aggregator: 'aggregator',
  notifier: 'notifier',
} as const;

/** Headers Tally sets on dead-lettered messages, so the reason is visible later. */
export const DEAD_LETTER_HEADERS = {
  reason: 'Tally-Dead-Reason',
  stream: 'Tally-Dead-Stream',
  consumer: 'Tally-Dead-Consumer',
  streamSequence: 'Tally-Dead-Seq',
  deliveries: 'Tally-Dead-Deliveries',
  /**
   * Set when only part of a stored message was dead-lettered: the index of that event in the
   * message's `events` (the rest of the message was applied).
   */
  eventIndex: 'Tally-Dead-Event',
} as const;
