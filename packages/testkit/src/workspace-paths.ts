import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKSPACE_MARKER = 'pnpm-workspace.yaml';

let cachedRoot: string | undefined;

/**
 * The monorepo's root: the nearest directory above the test kit that holds
 * `pnpm-workspace.yaml`. Found once; independent of where the caller's own file is built to.
 */
export function workspaceRoot(): string {
  cachedRoot ??= findWorkspaceRoot(dirname(fileURLToPath(import.meta.url)));
  return cachedRoot;
}

/** The built entry of an app: `apps/<app>/dist/main.js`. */
export function appEntry(app: string): string {
  return join(workspaceRoot(), 'apps', app, 'dist', 'main.js');
}

/** Throws, saying to build first, unless the app's entry (default: its built `appEntry`) exists. */
export function assertBuilt(app: string, entry = appEntry(app)): void {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (pnpm build)`);
}

/** An app's Prisma-layout SQL migrations: `apps/<app>/prisma/migrations`. */
export function appMigrations(app: string): string {
  return join(workspaceRoot(), 'apps', app, 'prisma', 'migrations');
}

function findWorkspaceRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, WORKSPACE_MARKER))) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`no ${WORKSPACE_MARKER} in ${start} or any directory above it`);
    }
  }
}
