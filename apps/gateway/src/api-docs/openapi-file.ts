import { fileURLToPath } from 'node:url';

/**
 * The committed copy of the document for clients and code generators, beside the contracts'
 * JSON Schema (`dist/api-docs/` → repository root).
 */
export const OPENAPI_FILE = fileURLToPath(
  new URL('../../../../packages/contracts/schema/openapi.json', import.meta.url),
);
