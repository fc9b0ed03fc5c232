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
  AlertRuleReply,
  DeliveryLogParams,
  DeliveryLogReply,
  SUBJECTS,
  type AlertRule,
  type AlertRuleRequest,
  type Delivery,
  type DeliveryLogQuery,
} from '@tally/contracts';
import { RemoteRequestError } from '@tally/nats';
import type { z } from 'zod';
import { KeyProject } from '../auth/key-project.decorator.js';
import { ApiError } from '../http/api-error.js';
import { ServiceClient } from '../http/service-client.js';
import { INVALID_QUERY, validated } from '../http/validated.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { toCreateInput, toPatchInput } from './alert-body.js';

const STATUS_OF = { not_found: 404, invalid_rule: 400, destination_refused: 400 } as const;

/**
 * `/v1/alerts`: alert rules and their delivery log, owned by the notifier and reached over NATS
 * request/reply. A read key lists and reads; a write key creates, changes and deletes.
 */
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @RateLimited('read')
  async list(@KeyProject() projectId: string): Promise<{ rules: AlertRule[] }> {
    return { rules: await this.rules({ op: 'list', projectId }) };
  }

  @Post()
  @RateLimited('write')
  @HttpCode(201)
  async create(
    @Body() body: unknown,
    @KeyProject() projectId: string,
  ): Promise<{ rule: AlertRule; secret: string }> {
    const reply = await this.send({ op: 'create', projectId, rule: toCreateInput(body) });
    return { rule: reply.rules[0]!, secret: reply.secret ?? '' };
  }

  @Get(':id')
  @RateLimited('read')
  async get(
    @Param('id') id: string,
    @KeyProject() projectId: string,
  ): Promise<{ rule: AlertRule }> {
    return { rule: (await this.rules({ op: 'get', projectId, id }))[0]! };
  }

  @Patch(':id')
  @RateLimited('write')
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @KeyProject() projectId: string,
  ): Promise<{ rule: AlertRule }> {
    const rules = await this.rules({ op: 'update', projectId, id, patch: toPatchInput(body) });
    return { rule: rules[0]! };
  }

  @Delete(':id')
  @RateLimited('write')
  @HttpCode(204)
  async remove(@Param('id') id: string, @KeyProject() projectId: string): Promise<void> {
    await this.rules({ op: 'delete', projectId, id });
  }

  @Get(':id/deliveries')
  @RateLimited('read')
  async deliveries(
    @Param('id') id: string,
    @Query('limit') limit: string | undefined,
    @KeyProject() projectId: string,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<{ deliveries: Delivery[] }> {
    const params = validated(DeliveryLogParams, { limit }, INVALID_QUERY);
    const query: DeliveryLogQuery = { projectId, ruleId: id, limit: params.limit };
    const reply = await this.request(
      SUBJECTS.alertDeliveries,
      query,
      DeliveryLogReply,
      traceparent,
    );
    if (!reply.ok) throw new ApiError(STATUS_OF[reply.code], reply.code, reply.message);
    return { deliveries: reply.deliveries };
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
