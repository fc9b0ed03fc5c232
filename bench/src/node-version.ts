// The benchmark measures the stack on the Node it ships with: the release `.node-version` pins.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Why `pnpm bench` must not run on `running`, or undefined when it may: the major must be the
 * pinned release's. NOTE: `pnpm bench` is plain `node bench/dist/cli.js`, so unlike the README's
 * two scripts it cannot re-run itself; it names the Node they fetched into `.tally/node/`.
 */
export function benchNodeMismatch(
  repoRoot: string,
  running: string = process.versions.node,
): string | undefined {
  const pinned = readFileSync(join(repoRoot, '.node-version'), 'utf8').trim();
  if (running.split('.')[0] === pinned.split('.')[0]) return undefined;
  return (
    `pnpm bench runs on Node.js ${running}, but Tally runs on ${pinned} (.node-version). ` +
    `Run it on that Node: PATH="$PWD/.tally/node/${pinned}/bin:$PATH" pnpm bench ` +
    `(node scripts/stack.mjs or node scripts/test.mjs fetch it there).`
  );
}
