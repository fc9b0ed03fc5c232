// The app images are built where an image registry answers, not on these machines, so a
// Dockerfile that names a file the repository no longer has would first fail there. This
// checks the plain `COPY <context files> <dest>` lines against the repository.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './proc.mjs';

const dockerfiles = readdirSync(path.join(ROOT, 'apps')).map((app) =>
  path.join('apps', app, 'Dockerfile'),
);

describe('the app Dockerfiles', () => {
  for (const file of dockerfiles) {
    it(`${file} copies only files the build context has`, () => {
      const copies = [
        ...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/^COPY (?!--)(.+)$/gm),
      ];
      assert.ok(copies.length > 0, `${file} has no COPY from the context`);
      for (const [, args] of copies) {
        for (const source of args.trim().split(/\s+/).slice(0, -1)) {
          assert.ok(existsSync(path.join(ROOT, source)), `${file}: COPY ${source} does not exist`);
        }
      }
    });
  }
});
