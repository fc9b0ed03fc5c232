import { Injectable } from '@nestjs/common';
import { NatsConnection } from '@tally/nats';
import type { ReadinessCheck } from './readiness-check.js';

@Injectable()
export class NatsReadiness implements ReadinessCheck {
  readonly name = 'nats';

  constructor(private readonly nats: NatsConnection) {}

  isReady(): Promise<boolean> {
    return Promise.resolve(this.nats.isConnected());
  }
}
