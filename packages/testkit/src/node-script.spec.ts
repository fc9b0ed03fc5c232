import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runNodeScript } from './node-script.js';

const SCRIPT = `
console.log(process.argv.slice(2).join(' '));
console.error(Object.keys(process.env).sort().join(','));
process.exit(4);
`;

test('runs a script with its arguments and only the given environment, and collects its output', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tally-node-script-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const script = join(dir, 'script.mjs');
  await writeFile(script, SCRIPT);
  const run = await runNodeScript(script, ['a', 'b c'], { env: { ONLY_THIS: '1' } });
  assert.deepEqual(run, { code: 4, stdout: 'a b c\n', stderr: 'ONLY_THIS\n' });
});
