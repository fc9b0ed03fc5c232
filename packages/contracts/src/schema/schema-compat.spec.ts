import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { breakingChanges } from './breaking-changes.js';
import { contractsJsonSchema, schemaFileName, type ContractsDocument } from './contract-schemas.js';

const current = contractsJsonSchema();
const committedPath = fileURLToPath(
  new URL(`../../schema/${schemaFileName(current.version)}`, import.meta.url),
);

describe('committed JSON Schema', () => {
  it('exists for the current contracts version', () => {
    assert.ok(
      existsSync(committedPath),
      `missing ${committedPath}: run "pnpm --filter @tally/contracts schema:export" and commit it`,
    );
  });

  it('has no breaking change without a version bump', () => {
    const committed = JSON.parse(readFileSync(committedPath, 'utf8')) as ContractsDocument;
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(committed.messages)) {
      const next = current.messages[name];
      if (!next) problems.push(`${name}: message removed`);
      else problems.push(...breakingChanges(schema, next, name));
    }
    for (const [name, fields] of Object.entries(committed.headers)) {
      for (const [field, header] of Object.entries(fields)) {
        const now = current.headers[name]?.[field];
        if (now !== header) {
          problems.push(`${name}.${field}: header ${header} is now ${now ?? 'gone'}`);
        }
      }
    }
    assert.deepEqual(problems, [], 'breaking change: bump CONTRACTS_VERSION and export the schema');
  });

  it('is up to date with the contracts', () => {
    const committed = JSON.parse(readFileSync(committedPath, 'utf8')) as ContractsDocument;
    assert.deepEqual(
      committed,
      current,
      'schema file is stale: run "pnpm --filter @tally/contracts schema:export" and commit it',
    );
  });
});
