import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  AlertRuleListParams,
  AlertRuleReply,
  DeliveryLogParams,
  DeliveryLogReply,
  SUBJECTS,
  type AlertRule,
  type AlertRuleRequest,
  type KeyKind,
  type Delivery,
  type DeliveryLogQuery,
} from '@tally/contracts';
import { RemoteRequestError } from '@tally/nats';
import type { z } from 'zod';
import type { ValidGrant } from '../auth/api-keys.js';
import { KeyGrant } from '../auth/key-grant.decorator.js';
import { KeyProject } from '../auth/key-project.decorator.js';
import { ApiError } from '../http/api-error.js';
import { ServiceClient } from '../http/service-client.js';
import { INVALID_QUERY, validated } from '../http/validated.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { toCreateInput, toPatchInput } from './alert-body.js';
import { deliveryShownTo, ruleShownTo } from './masked-urls.js';

const STATUS_OF = {
  not_found: 404,
  invalid_rule: 400,
  destination_refused: 400,
  rule_limit_reached: 409,
  invalid_cursor: 400,
} as const;

/** Keys that may read rules: a read key sees webhook URLs masked, a manage key in full. */
const READERS: readonly KeyKind[] = ['read', 'manage'];

/**
 * `/v1/alerts`: alert rules and their delivery log, owned by the notifier and reached over NATS
 * request/reply. A read or manage key lists and reads; only a manage key creates, changes and
 * deletes. NOTE: a write key never gets here: it ships inside clients and web pages.
 */
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @RateLimited(READERS)
  async list(
    @Query('limit') limit: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @KeyGrant() grant: ValidGrant,
  ): Promise<{ rules: AlertRule[]; nextCursor: string | null }> {
    const page = validated(AlertRuleListParams, { limit, cursor }, INVALID_QUERY);
    const reply = await this.send({ op: 'list', projectId: grant.projectId, ...page });
    return {
      rules: reply.rules.map((rule) => ruleShownTo(grant.kind, rule)),
      nextCursor: reply.nextCursor ?? null,
    };
  }

  @Post()
  @RateLimited('manage')
  @HttpCode(201)
  async create(
    @Body() body: unknown,
    @KeyProject() projectId: string,
  ): Promise<{ rule: AlertRule; secret: string }> {
    const reply = await this.send({ op: 'create', projectId, rule: toCreateInput(body) });
    return { rule: reply.rules[0]!, secret: reply.secret ?? '' };
  }

  @Get(':id')
  @RateLimited(READERS)
  async get(@Param('id') id: string, @KeyGrant() grant: ValidGrant): Promise<{ rule: AlertRule }> {
    const [rule] = await this.rules({ op: 'get', projectId: grant.projectId, id });
    return { rule: ruleShownTo(grant.kind, rule!) };
  }

  @Patch(':id')
  @RateLimited('manage')
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @KeyProject() projectId: string,
  ): Promise<{ rule: AlertRule }> {
    const rules = await this.rules({ op: 'update', projectId, id, patch: toPatchInput(body) });
    return { rule: rules[0]! };
  }

  @Delete(':id')
  @RateLimited('manage')
  @HttpCode(204)
  async remove(@Param('id') id: string, @KeyProject() projectId: string): Promise<void> {
    await this.rules({ op: 'delete', projectId, id });
  }

  @Get(':id/deliveries')
  @RateLimited(READERS)
  async deliveries(
    @Param('id') id: string,
    @Query('limit') limit: string | undefined,
    @KeyGrant() grant: ValidGrant,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<{ deliveries: Delivery[] }> {
    const params = validated(DeliveryLogParams, { limit }, INVALID_QUERY);
    const query: DeliveryLogQuery = {
      projectId: grant.projectId,
      ruleId: id,
      limit: params.limit,
    };
    const reply = await this.request(
      SUBJECTS.alertDeliveries,
      query,
      DeliveryLogReply,
      traceparent,
    );
    if (!reply.ok) throw new ApiError(STATUS_OF[reply.code], reply.code, reply.message);
    return { deliveries: reply.deliveries.map((d) => deliveryShownTo(grant.kind, d)) };
  }

  private async rules(request: AlertRuleRequest): Promise<AlertRule[]> {
    return (await this.send(request)).rules;
  }

  private async send(request: AlertRuleRequest): Promise<Extract<AlertRuleReply, { ok: true }>> {
    const reply = await this.request(SUBJECTS.alertRules, request, AlertRuleReply);
    if (!reply.ok) throw new ApiError(STATUS_OF[reply.code], reply.code, reply.message);
    return reply;
  }

  private async request<S extends z.ZodType>(
    subject: string,
    payload: unknown,
    schema: S,
    traceparent?: string,
  ): Promise<z.infer<S>> {
    try {
      return await this.services.request(subject, payload, schema, {
        unavailableCode: 'alerts_unavailable',
        service: 'alert service',
        traceparent,
      });
    } catch (err) {
      if (err instanceof RemoteRequestError && err.kind === 'bad-request') {
        throw new ApiError(400, 'invalid_rule', 'the alert service refused the request');
      }
      throw err;
    }
  }
}
