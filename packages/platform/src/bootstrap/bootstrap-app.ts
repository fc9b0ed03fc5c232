import 'reflect-metadata';
import { type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoLogger } from 'nestjs-pino';

export interface BootstrapOptions {
  port: number;
  host?: string;
  bodyLimitBytes?: number;
  /** Fastify and Node HTTP server options (timeouts, error handlers); override `bodyLimitBytes`. */
  server?: ConstructorParameters<typeof FastifyAdapter>[0];
  /** Extra setup on the app before it listens (routes, parsers). */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * Starts an app the same way everywhere: Fastify, pino as the Nest logger, shutdown hooks, and a
 * non-zero exit when start fails so an orchestrator restarts it.
 */
export async function bootstrapApp(
  module: Type,
  options: BootstrapOptions,
): Promise<INestApplication> {
  try {
    const app = await NestFactory.create<NestFastifyApplication>(
      module,
      new FastifyAdapter({ bodyLimit: options.bodyLimitBytes ?? 1024 * 1024, ...options.server }),
      { bufferLogs: true },
    );
    app.useLogger(app.get(PinoLogger));
    app.enableShutdownHooks();
    await options.configure?.(app);
    await app.listen(options.port, options.host ?? '0.0.0.0');
    app.get(PinoLogger).log({ url: await app.getUrl() }, 'listening');
    return app;
  } catch (err) {
    process.stderr.write(`failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  }
}
