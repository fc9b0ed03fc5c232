export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';

  constructor(
    readonly migrationName: string,
    detail: string,
  ) {
    super(`Migration "${migrationName}" failed: ${detail}`);
  }
}

export class UnfinishedMigrationError extends Error {
  override readonly name = 'UnfinishedMigrationError';

  constructor(readonly migrationName: string) {
    super(
      `Migration "${migrationName}" was started but never finished (a failed migration): ` +
        'refusing to apply migrations. Fix the database and mark it rolled back ' +
        `(set rolled_back_at, or \`prisma migrate resolve --rolled-back ${migrationName}\`) ` +
        'or applied, then run again.',
    );
  }
}
