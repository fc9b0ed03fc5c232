import { buildOpenApiDocument } from './openapi-document.js';

/** Built once per process: the contracts do not change while it runs. */
export const API_DOCUMENT = buildOpenApiDocument();
