import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * NOTE: the page's files live outside src/ (tsc copies nothing but TypeScript), in the package's
 * `public/dashboard/`; from `dist/dashboard/` that is two levels up, in the repository as in the
 * Docker image's deployed package.
 */
const PAGE_DIR = fileURLToPath(new URL('../../public/dashboard/', import.meta.url));

/** uPlot's browser build and stylesheet, from the pinned npm package, under the names the page uses. */
const VENDOR_FILES: Record<string, string> = {
  'uplot.esm.js': 'uplot/dist/uPlot.esm.js',
  'uplot.min.css': 'uplot/dist/uPlot.min.css',
};

function asset(name: string, body: Buffer): DashboardAsset {
  const contentType = CONTENT_TYPES[extname(name)];
  if (!contentType) throw new Error(`dashboard asset ${name} has no known content type`);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag };
}

/**
 * Every file of the dashboard, read once at start: the page's own files by their names, and
 * uPlot's. A missing file fails the start instead of the first browser that asks for it.
 */
export function loadDashboardAssets(): Map<string, DashboardAsset> {
  const assets = new Map<string, DashboardAsset>();
  for (const name of readdirSync(PAGE_DIR)) {
    assets.set(name, asset(name, readFileSync(`${PAGE_DIR}${name}`)));
  }
  const require = createRequire(import.meta.url);
  for (const [name, specifier] of Object.entries(VENDOR_FILES)) {
    assets.set(name, asset(name, readFileSync(require.resolve(specifier))));
  }
  return assets;
}
