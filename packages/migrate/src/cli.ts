#!/usr/bin/env node
import { applyMigrations } from './apply.js';
import { parseCliArgs, readDatabaseUrl, USAGE, UsageError } from './cli-args.js';

async function main(): Promise<number> {
  const command = parseCliArgs(process.argv.slice(2));
  if (command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  const databaseUrl = readDatabaseUrl(process.env);
  const result = await applyMigrations({
    databaseUrl,
    migrationsDir: command.migrationsDir,
    logger: { info: (line) => console.log(line), warn: (line) => console.error(line) },
  });
  if (result.applied.length === 0) {
    console.log(`No pending migrations (${result.skipped.length} already applied).`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`tally-migrate: ${message}`);
    if (err instanceof UsageError) console.error(`\n${USAGE}`);
    process.exitCode = 1;
  },
);
