import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** The `Content-Encoding`s the gateway decodes (one at a time; `identity` needs none). */
export const DECODABLE_ENCODINGS = Object.keys(DECODERS);

/** The request's `Content-Encoding`, normalised; `undefined` for none or `identity`. */
export function contentEncodingOf(headers: { 'content-encoding'?: string }): string | undefined {
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  return encoding === undefined || encoding === '' || encoding === 'identity'
    ? undefined
    : encoding;
}

/** A fresh decoder for `encoding`, or `undefined` when the gateway does not decode it. */
export function bodyDecoder(encoding: string): Transform | undefined {
  return Object.hasOwn(DECODERS, encoding) ? DECODERS[encoding]?.() : undefined;
}
