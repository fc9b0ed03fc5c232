import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from './openapi-document.js';
import { OPENAPI_FILE } from './openapi-file.js';

writeFileSync(OPENAPI_FILE, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
