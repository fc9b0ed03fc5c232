import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NotifierConfig } from '../config/notifier.config.js';
import { AddressPolicy } from './address-policy.js';

/** The destination address policy, shared by rule validation and delivery. */
@Module({
  providers: [
    {
      provide: AddressPolicy,
      inject: [ConfigService],
      useFactory: (c: ConfigService<NotifierConfig, true>) =>
        new AddressPolicy({
          allowCidrs: c.get('webhooks.allowPrivate', { infer: true }),
          ports: c.get('webhooks.allowedPorts', { infer: true }),
        }),
    },
  ],
  exports: [AddressPolicy],
})
export class WebhooksModule {}
