import { bootstrapApp } from '@tally/platform';
import { appModule } from './app.module.js';
import { gatewayServerOptions } from './http/http-server-options.js';

const { module, config } = appModule(process.env);
await bootstrapApp(module, { port: config.http.port, server: gatewayServerOptions(config.http) });
