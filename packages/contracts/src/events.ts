import { z } from 'zod';
import { CONTENT_REJECTIONS, contentProblems, fitsDimension } from './event-content.js';
import { INGEST_LIMITS } from './limits.js';
import type { EventError } from './messages.js';

export const EVENT_TYPES = ['click', 'purchase', 'login', 'page_view', 'custom'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const text = z.string().max(INGEST_LIMITS.maxStringLength);
const nonEmptyText = text.min(1);

/**
 * A dimension (see `StoredEvent.dimension`) is stored in the rollups' primary key, whose index
 * has a byte limit: the character limit alone lets through three-byte text that Postgres refuses.
 */
const dimensionText = (base: z.ZodString) =>
  base.refine(fitsDimension, {
    message: `at most ${INGEST_LIMITS.maxDimensionBytes} bytes of UTF-8`,
    params: { reason: CONTENT_REJECTIONS.dimensionTooLong },
  });

/** Property bags accept extra keys (checked for what they carry by `TrackedEvent`). */
function propertyBag<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((input, ctx) => {
    if (typeof input !== 'object' || input === null) return input;
    if (Object.keys(input).length > INGEST_LIMITS.maxPropertiesKeys) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${INGEST_LIMITS.maxPropertiesKeys} properties`,
      });
    }
    return input;
  }, z.looseObject(shape));
}

const eventBase = {
  id: z.uuid().optional(),
  userId: z.string().min(1).max(INGEST_LIMITS.maxUserIdLength),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  name: dimensionText(nonEmptyText).optional(),
};

export const ClickEvent = z.object({
  ...eventBase,
  type: z.literal('click'),
  properties: propertyBag({
    element: dimensionText(text).optional(),
    page: text.optional(),
  }).default({}),
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
  properties: propertyBag({ method: dimensionText(nonEmptyText), success: z.boolean() }),
});

export const PageViewEvent = z.object({
  ...eventBase,
  type: z.literal('page_view'),
  properties: propertyBag({ path: dimensionText(nonEmptyText) }),
});

export const CustomEvent = z.object({
  ...eventBase,
  type: z.literal('custom'),
  name: dimensionText(nonEmptyText),
  properties: propertyBag({}).default({}),
});

/**
 * An event's fields alone. Only for events of a body that `parseTrackBody` found free of what
 * `TrackedEvent` checks first (`ParsedTrackBody.plainText`): that check costs more than the rest.
 */
export const TrackedEventFields = z.discriminatedUnion('type', [
  ClickEvent,
  PurchaseEvent,
  LoginEvent,
  PageViewEvent,
  CustomEvent,
]);

/**
 * One event as a client sends it to `POST /v1/events`. Before its fields are checked, the whole
 * raw event is: no reserved key and no text storage cannot hold, at any depth.
 * NOTE: the check runs on the raw input: zod's parsed copy has already lost a `__proto__` key.
 */
export const TrackedEvent = z.preprocess((input, ctx) => {
  for (const problem of contentProblems(input)) {
    ctx.addIssue({
      code: 'custom',
      path: problem.path,
      message: problem.message,
      params: { reason: problem.reason },
    });
  }
  return input;
}, TrackedEventFields);
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

/**
 * A refused event's reasons as the `202` and `GET /v1/rejected` report them: zod's issue codes,
 * or this module's own reason (`CONTENT_REJECTIONS`) where a check names one.
 */
export function eventErrors(issues: readonly z.core.$ZodIssue[]): EventError[] {
  return issues.map((issue) => ({
    path: issue.path.join('.'),
    code: reasonOf(issue) ?? issue.code,
    message: issue.message,
  }));
}

function reasonOf(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'custom') return undefined;
  const reason: unknown = issue.params?.['reason'];
  return typeof reason === 'string' ? reason : undefined;
}
