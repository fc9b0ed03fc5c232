import { Controller, Get, Headers, Query } from '@nestjs/common';
import type { EventError } from '@tally/contracts';
import { z } from 'zod';
import { ApiKeys } from '../auth/api-keys.js';
import { ApiError } from '../http/api-error.js';
import { RejectedEventsReader } from './rejected-events.reader.js';

export const REJECTED_LIMITS = { default: 50, max: 500 } as const;

const RejectedParams = z.object({
  limit: z.coerce.number().int().min(1).max(REJECTED_LIMITS.max).default(REJECTED_LIMITS.default),
});

interface RejectedItem {
  seq: number;
  receivedAt: string;
  requestId: string;
  index: number;
  errors: EventError[];
  excerpt: string;
}

/** `GET /v1/rejected`: the read key's project's newest rejected events, with reasons. */
@Controller('v1/rejected')
export class RejectedEventsController {
  constructor(
    private readonly keys: ApiKeys,
    private readonly reader: RejectedEventsReader,
  ) {}

  @Get()
  async list(
    @Query() params: Record<string, string>,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<{ rejected: RejectedItem[] }> {
    const projectId = this.keys.projectFor(authorization, 'read');
    const parsed = RejectedParams.safeParse(params);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({
        param: i.path.join('.'),
        message: i.message,
      }));
      throw new ApiError(400, 'invalid_query', 'invalid query parameters', details);
    }
    const stored = await this.reader.newest(projectId, parsed.data.limit);
    return {
      rejected: stored.map(({ seq, event }) => ({
        seq,
        receivedAt: new Date(event.receivedAt).toISOString(),
        requestId: event.requestId,
        index: event.index,
        errors: event.errors,
        excerpt: event.excerpt,
      })),
    };
  }
}
