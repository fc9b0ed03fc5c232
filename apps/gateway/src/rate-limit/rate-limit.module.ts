import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayConfig } from '../config/gateway.config.js';
import { KeyRateLimiter } from './key-rate-limiter.js';
import { RateUsageExchange } from './rate-usage.exchange.js';

/**
 * Per-key rate limits shared by all gateway replicas. Global so that `@RateLimited` works on any
 * controller: its guard needs the one limiter of the process.
 */
@Global()
@Module({
  providers: [
    {
      provide: KeyRateLimiter,
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayConfig, true>) => {
        const { write, read, manage } = config.get('rateLimits', { infer: true });
        return new KeyRateLimiter({ write, read, manage });
      },
    },
    RateUsageExchange,
  ],
  exports: [KeyRateLimiter],
})
export class RateLimitModule {}
