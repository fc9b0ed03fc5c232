import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BackgroundLoop } from '@tally/platform';
import { Counter } from 'prom-client';
import type { NotifierConfig } from '../config/notifier.config.js';
import { AddressPolicy } from '../webhooks/address-policy.js';
import { nextRetryDelay, parseRetryAfter } from '../webhooks/retry-schedule.js';
import { sendWebhook } from '../webhooks/webhook-sender.js';
import { signedHeaders } from '../webhooks/webhook-signature.js';
import { DeliveriesRepository, type ClaimedDelivery } from './deliveries.repository.js';

const attempts = new Counter({
  name: 'tally_notifier_webhook_attempts_total',
  help: 'Webhook delivery attempts by outcome',
  labelNames: ['outcome'],
});

const BATCH = 16;

/** Polls due deliveries and attempts them; every outcome and the next attempt time are rows. */
@Injectable()
export class DeliveryWorkerService extends BackgroundLoop {
  private readonly settings: NotifierConfig['webhooks'];

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly policy: AddressPolicy,
    config: ConfigService<NotifierConfig, true>,
  ) {
    super({
      idleMs: config.get('alerts.pollIntervalMs', { infer: true }),
      failure: 'delivery poll failed',
    });
    this.settings = config.get('webhooks', { infer: true });
  }

  protected async step(): Promise<boolean> {
    // NOTE: the lease outlasts the attempt's own timeout, so a live attempt is never re-claimed.
    const claimed = await this.deliveries.claimDue(BATCH, this.settings.timeoutMs + 5_000);
    await Promise.all(claimed.map((d) => this.attempt(d)));
    return claimed.length === BATCH;
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const startedAt = new Date();
    // NOTE: the id (and body) stay the same on every attempt; the timestamp and so the
    // signature are the attempt's own, as Standard Webhooks expects.
    const headers = signedHeaders(
      delivery.secret,
      delivery.id,
      Math.floor(startedAt.getTime() / 1_000),
      delivery.body,
    );
    const result = await sendWebhook(this.policy, {
      url: delivery.url,
      headers,
      body: delivery.body,
      timeoutMs: this.settings.timeoutMs,
      responseCap: this.settings.responseCap,
    });
    const record = {
      startedAt,
      durationMs: result.durationMs,
      statusCode: result.statusCode,
      error: result.error,
      responseExcerpt: result.responseExcerpt,
    };
    const ids = { deliveryId: delivery.id, ruleId: delivery.rule_id, attempt: delivery.attempts };
    if (result.ok) {
      attempts.inc({ outcome: 'succeeded' });
      await this.deliveries.record(delivery, record, { status: 'succeeded' });
      this.logger.log({ ...ids, status: result.statusCode }, 'webhook delivered');
      return;
    }
    const delay = result.refused
      ? null
      : nextRetryDelay(
          this.settings.retry,
          delivery.attempts,
          parseRetryAfter(result.retryAfter, Date.now()),
        );
    if (delay === null) {
      attempts.inc({ outcome: 'dead' });
      await this.deliveries.record(delivery, record, { status: 'dead' });
      this.logger.warn({ ...ids, error: result.error }, 'webhook delivery dead');
      return;
    }
    attempts.inc({ outcome: 'retry' });
    const at = new Date(Date.now() + delay);
    await this.deliveries.record(delivery, record, { status: 'pending', at });
    this.logger.log({ ...ids, error: result.error, retryInMs: delay }, 'webhook attempt failed');
  }
}
