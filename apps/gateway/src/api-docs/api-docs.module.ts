import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ApiDocsController } from './api-docs.controller.js';
import { API_DOCUMENT } from './api-document.js';

/**
 * `/docs`: Swagger UI over the OpenAPI document, served from the package's own files (no CDN),
 * and `/docs/openapi.json`. The document is static: it comes from the contracts, not from
 * scanning routes, and a test checks that every `/v1` route is in it.
 */
@Module({ controllers: [ApiDocsController] })
export class ApiDocsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // NOTE: not awaited. Awaiting boots Fastify's plugin queue now, which would build the routes
    // Nest already declared before Nest sets its error handler: parse errors would then skip
    // the API's error body. Fastify loads these plugins when the app starts listening.
    void fastify.register(fastifySwagger, {
      mode: 'static',
      specification: { document: API_DOCUMENT as never },
    });
    void fastify.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      theme: { title: 'Tally API reference' },
    });
  }
}
