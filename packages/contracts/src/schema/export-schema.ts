import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contractsJsonSchema, schemaFileName } from './contract-schemas.js';

const doc = contractsJsonSchema();
const target = fileURLToPath(
  new URL(`../../schema/${schemaFileName(doc.version)}`, import.meta.url),
);
writeFileSync(target, `${JSON.stringify(doc, null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
