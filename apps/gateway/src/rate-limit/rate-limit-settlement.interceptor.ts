import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tap, type Observable } from 'rxjs';
import { KeyRateLimiter } from './key-rate-limiter.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { takeReservation, type Reservation } from './reservations.js';

/**
 * Settles what `RateLimitGuard` reserved for a request: once the handler answered, the key is
 * charged what the reply says the request cost (what its body says if it failed), and the rest
 * of the reservation goes back to the key's bucket.
 */
@Injectable()
export class RateLimitSettlement implements NestInterceptor {
  constructor(private readonly limiter: KeyRateLimiter) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reservation = takeReservation(request);
    const settled = reservation?.cost.settled;
    if (!reservation || !settled) return next.handle();
    const settle = (used: number) => this.settle(reservation, used, http.getResponse());
    return next.handle().pipe(
      tap({
        next: (reply) => settle(settled.ofReply(reply)),
        error: () => settle(reservation.cost.ofBody(request.body)),
      }),
    );
  }

  private settle(reservation: Reservation, used: number, response: FastifyReply): void {
    const { keyHash, kind, tokens } = reservation;
    const remaining = this.limiter.settle(keyHash, kind, tokens, used);
    const policy = this.limiter.policyOf(kind);
    if (remaining !== undefined && policy) {
      void response.headers(rateLimitHeaders(policy, remaining));
    }
  }
}
