import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { KeyProject } from '../auth/key-project.decorator.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { LiveDeltaRelay } from './live-delta.relay.js';

/** `GET /v1/live`: Server-Sent Events of the read key's project's rollup deltas. */
@Controller('v1/live')
@RateLimited('read')
export class LiveDeltasController {
  constructor(private readonly relay: LiveDeltaRelay) {}

  @Get()
  stream(@KeyProject() projectId: string, @Res() reply: FastifyReply): void {
    this.relay.stream(projectId, reply);
  }
}
