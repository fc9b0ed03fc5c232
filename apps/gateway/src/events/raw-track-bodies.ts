import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** `POST /v1/events`: the route whose JSON bodies reach the handler as bytes (`RawTrackBodies`). */
export const TRACK_ROUTE = '/v1/events';

/**
 * Keeps `POST /v1/events` bodies as the bytes the client sent: the gateway passes them on to
 * ingest, which parses and checks them, so parsing them here too (a quarter of the gateway's
 * CPU at peak, BENCHMARKS.md) and serialising them again would be work done twice. Every other
 * route's JSON is parsed as before, by Fastify's parser.
 * NOTE: Nest registers its JSON parser before modules initialise, so it is replaced here.
 */
@Injectable()
export class RawTrackBodies implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: fastify.initialConfig.bodyLimit },
      (request, body, done) => {
        if (request.routeOptions.url === TRACK_ROUTE) done(null, body);
        // NOTE: typed for strings, Fastify's JSON parser reads Buffers as well (secure-json-parse).
        else void parseJson(request, body as unknown as string, done);
      },
    );
  }
}
