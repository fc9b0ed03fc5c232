import { z } from 'zod';
import { INGEST_LIMITS } from './limits.js';

export const EVENT_TYPES = ['click', 'purchase', 'login', 'page_view', 'custom'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const text = z.string().max(INGEST_LIMITS.maxStringLength);
const nonEmptyText = text.min(1);

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Property bags accept extra keys, but never ones that could pollute prototypes downstream.
 * NOTE: the check runs on the raw input: zod's parsed copy has already lost a `__proto__` key.
 */
function propertyBag<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((input, ctx) => {
    if (typeof input !== 'object' || input === null) return input;
    const keys = Object.keys(input);
    if (keys.length > INGEST_LIMITS.maxPropertiesKeys) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${INGEST_LIMITS.maxPropertiesKeys} properties`,
      });
    }
    for (const key of keys) {
      if (RESERVED_KEYS.has(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'reserved property name' });
      }
    }
    return input;
  }, z.looseObject(shape));
}

const eventBase = {
  id: z.uuid().optional(),
  userId: z.string().min(1).max(INGEST_LIMITS.maxUserIdLength),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  name: nonEmptyText.optional(),
};

export const ClickEvent = z.object({
  ...eventBase,
  type: z.literal('click'),
  properties: propertyBag({ element: text.optional(), page: text.optional() }).default({}),
});

export const PurchaseEvent = z.object({
  ...eventBase,
  type: z.literal('purchase'),
  properties: propertyBag({
    orderId: nonEmptyText,
    amount: z.number().min(0).max(1e9),
    currency: z.string().refine((code) => CURRENCIES.has(code), 'must be an ISO 4217 code'),
  }),
});

export const LoginEvent = z.object({
  ...eventBase,
  type: z.literal('login'),
  properties: propertyBag({ method: nonEmptyText, success: z.boolean() }),
});

export const PageViewEvent = z.object({
  ...eventBase,
  type: z.literal('page_view'),
  properties: propertyBag({ path: nonEmptyText }),
});

export const CustomEvent = z.object({
  ...eventBase,
  type: z.literal('custom'),
  name: nonEmptyText,
  properties: propertyBag({}).default({}),
});

/** One event as a client sends it to `POST /v1/events`. */
export const TrackedEvent = z.discriminatedUnion('type', [
  ClickEvent,
  PurchaseEvent,
  LoginEvent,
  PageViewEvent,
  CustomEvent,
]);
export type TrackedEvent = z.infer<typeof TrackedEvent>;

/** The body of `POST /v1/events` in its batch form. */
export const EventBatchBody = z.object({
  events: z.array(z.unknown()).min(1).max(INGEST_LIMITS.maxEventsPerBatch),
  sentAt: z.iso.datetime({ offset: true }).optional(),
});
export type EventBatchBody = z.infer<typeof EventBatchBody>;

/** An event after ingest validated and normalised it: what the event stream stores. */
export const StoredEvent = z.object({
  id: z.uuid(),
  type: z.enum(EVENT_TYPES),
  /** The rollup dimension: the event name, or the type's natural one (see docs/rollups.md). */
  dimension: z.string(),
  userId: z.string(),
  /** Event time after clock-skew correction, epoch milliseconds. */
  timestamp: z.number().int(),
  receivedAt: z.number().int(),
  revenue: z
    .object({ currency: z.string().length(3), amountMicros: z.number().int().min(0) })
    .optional(),
});
export type StoredEvent = z.infer<typeof StoredEvent>;
