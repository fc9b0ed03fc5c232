import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { appModule } from '../app.module.js';
import { gatewayServerOptions } from '../http/http-server-options.js';

export const TEST_ADMIN_TOKEN = 'admin_token_for_tests_000001';

export interface RegisteredRoute {
  method: string;
  url: string;
}

export interface GatewayUnderTest {
  app: NestFastifyApplication;
  base: string;
  /** Every route the app registered on its Fastify router, as Fastify saw it. */
  routes: RegisteredRoute[];
  close(): Promise<void>;
}

/** The gateway in-process on a free port, against the given NATS server. */
export async function startGateway(
  natsUrl: string,
  env: Record<string, string> = {},
): Promise<GatewayUnderTest> {
  const { module, config } = appModule({
    NATS_URL: natsUrl,
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...env,
  });
  const adapter = new FastifyAdapter(gatewayServerOptions(config.http));
  const routes: RegisteredRoute[] = [];
  // Added before Nest registers anything, so it sees every route of the app.
  adapter.getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  return { app, base, routes, close: () => app.close() };
}

/** `"<status> <error code>"` of an API error response. */
export async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { code: string } };
  return `${res.status} ${body.error.code}`;
}
