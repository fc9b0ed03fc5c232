import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from '@tally/platform';
import { PrismaService } from './prisma.service.js';

@Injectable()
export class DatabaseReadiness implements ReadinessCheck {
  readonly name = 'postgres';

  constructor(private readonly prisma: PrismaService) {}

  async isReady(): Promise<boolean> {
    await this.prisma.$queryRaw`SELECT 1`;
    return true;
  }
}
