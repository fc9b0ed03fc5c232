import { bootstrapApp } from '@tally/platform';
import { appModule } from './app.module.js';

const { module, config } = appModule(process.env);
await bootstrapApp(module, { port: config.http.port });
