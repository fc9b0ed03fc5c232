import {
  QUERY_LIMITS,
  metricsQueryCost,
  overLimitMessage,
  type MetricsQuery,
  type MetricsReply,
} from '@tally/contracts';
import { ApiError } from '../http/api-error.js';

type Refusal = Extract<MetricsReply, { ok: false }>;

/** A query over the cost limit, refused before it is sent (the aggregator checks it too). */
export function tooLargeQuery(query: MetricsQuery): ApiError | undefined {
  const cost = metricsQueryCost(query);
  const message = overLimitMessage(cost, query.granularity);
  return message === undefined ? undefined : tooLarge(message, { ...cost });
}

/** The API error of an aggregator's refusal: `429` with Retry-After when the project is busy. */
export function refusedQuery(refusal: Refusal, retryAfterSeconds: number): ApiError {
  const code = refusal.code ?? 'invalid_query';
  switch (code) {
    case 'too_many_queries': {
      const details = [
        { message: `retry in ${retryAfterSeconds} s`, retryAfterSeconds, ...refusal.details },
      ];
      return new ApiError(429, code, refusal.error, details, {
        'Retry-After': String(retryAfterSeconds),
      });
    }
    case 'query_too_large':
      return tooLarge(refusal.error, refusal.details);
    case 'invalid_query':
      return new ApiError(400, code, refusal.error);
  }
}

function tooLarge(message: string, cost: Record<string, number> | undefined): ApiError {
  const limit = { maxPoints: QUERY_LIMITS.maxPoints };
  const details = [{ message: `at most ${limit.maxPoints} points`, ...cost, ...limit }];
  return new ApiError(400, 'query_too_large', message, details);
}
