import { type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

export interface LoggingOptions {
  service: string;
  level: string;
}

/**
 * Structured JSON logs (pino) with the service name on every line. Request logs carry the
 * trace id; authorization headers and bodies are never logged.
 */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: options.level,
      base: { service: options.service },
      autoLogging: { ignore: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? '') },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-admin-token"]'],
      customProps: (req) => ({ traceparent: req.headers.traceparent }),
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
      },
    },
  });
}
