import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { workspaceRoot } from '@tally/testkit';
import { benchNodeMismatch } from './node-version.js';

describe('the Node pnpm bench runs on', () => {
  const root = workspaceRoot();
  const pinned = readFileSync(join(root, '.node-version'), 'utf8').trim();

  test("is accepted when its major is the pinned release's", () => {
    assert.equal(benchNodeMismatch(root, pinned), undefined);
    assert.equal(benchNodeMismatch(root, `${pinned.split('.')[0]}.99.0`), undefined);
  });

  test('is refused on Node 20, with the command that runs it on the pinned Node', () => {
    const message = benchNodeMismatch(root, '20.20.2');
    assert.ok(message, 'Node 20 was accepted');
    assert.match(message, /runs on Node\.js 20\.20\.2, but Tally runs on 24\./);
    assert.ok(message.includes(`.tally/node/${pinned}/bin`), message);
  });
});
