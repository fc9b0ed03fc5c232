import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, type Transform } from 'node:stream';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.js';
import { bodyDecoder, contentEncodingOf } from './body-encodings.js';
import { countRefusal } from './http-edge.metrics.js';

/** Fastify reads this off the stream a `preParsing` hook returns, to check `Content-Length`. */
type DecodedBody = PassThrough & { receivedEncodedLength: number };

/**
 * Decodes bodies sent with `Content-Encoding: gzip`, `deflate` or `br` before they are parsed
 * (issue 12, finding 14); `JsonBodiesMiddleware` has refused other encodings already. Fastify's
 * body limit (1 MiB) applies to the decoded bytes, so a small compressed body that inflates to
 * gigabytes is a `413` after its first MiB, and `Content-Length` is checked against the bytes
 * that came over the wire. A body that does not decode is `400 invalid_encoding`.
 */
@Injectable()
export class EncodedBodies implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('preParsing', (request, _reply, payload, done) => {
      const encoding = hasBody(request.headers) ? contentEncodingOf(request.headers) : undefined;
      const decoder = encoding === undefined ? undefined : bodyDecoder(encoding);
      if (encoding === undefined || !decoder) {
        done(null, payload);
        return;
      }
      done(null, decoded(payload, decoder, encoding));
    });
  }
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  return Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined;
}

function decoded(
  payload: NodeJS.ReadableStream,
  decoder: Transform,
  encoding: string,
): DecodedBody {
  const body = Object.assign(new PassThrough(), { receivedEncodedLength: 0 });
  payload.on('data', (chunk: Buffer) => {
    body.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (err: Error) => body.destroy(err));
  // NOTE: Fastify answers a body stream's error as the error it is, so this one is the API's.
  decoder.on('error', () => {
    const error = new ApiError(400, 'invalid_encoding', `the body is not valid ${encoding} data`);
    countRefusal(error);
    body.destroy(error);
  });
  body.on('close', () => decoder.destroy());
  // NOTE: Fastify stops listening once a body is too large; a later error must not crash us.
  body.on('error', () => {});
  payload.pipe(decoder).pipe(body);
  return body;
}
