import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { natsServerBin, runNodeScript, waitFor, workspaceRoot } from '@tally/testkit';

// Issue 13, part 2: how the README's commands get and use nats-server (scripts/lib, plain JS).
interface PackageEntry {
  version?: string;
  filename?: string;
  sha256?: string;
}
interface DebianArchiveLib {
  debianArchiveUrl(sourcesDir: string, sourcesList: string): string;
  findPackage(index: string, name: string): PackageEntry | undefined;
}

const scriptLib = (name: string): string =>
  pathToFileURL(join(workspaceRoot(), 'scripts', 'lib', name)).href;

// NOTE: the machine's own Debian 12 nats-server 2.9.10 (ENVIRONMENT.md); only its INFO is read.
const MACHINE_NATS = 'nats://127.0.0.1:4222';

describe('getting nats-server for the scripts', () => {
  let dir: string;
  let lib: DebianArchiveLib;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tally-nats-setup-'));
    lib = (await import(scriptLib('debian-archive.mjs'))) as DebianArchiveLib;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the main archive from the apt sources, never the security one', async () => {
    const sourcesDir = join(dir, 'sources.list.d');
    await mkdir(sourcesDir);
    await writeFile(
      join(sourcesDir, 'debian.sources'),
      [
        'Types: deb',
        'URIs: http://security.test/debian-security',
        'Suites: bookworm-security',
        'Components: main',
        '',
        'Types: deb',
        'URIs: http://archive.test/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main',
        '',
      ].join('\n'),
    );
    assert.equal(lib.debianArchiveUrl(sourcesDir, join(dir, 'none')), 'http://archive.test/debian');

    const list = join(dir, 'sources.list');
    await writeFile(
      list,
      'deb http://security.test/debian-security bookworm-security main\n' +
        'deb [signed-by=/k.gpg] http://list.test/debian/ bookworm main contrib\n',
    );
    assert.equal(lib.debianArchiveUrl(join(dir, 'empty'), list), 'http://list.test/debian');
    assert.throws(
      () => lib.debianArchiveUrl(join(dir, 'empty'), join(dir, 'none')),
      /no Debian archive/,
    );
  });

  it("reads a package's file and hash from the package list", () => {
    const index = [
      'Package: nats-server-docs\nVersion: 1\nFilename: pool/d.deb\nSHA256: aa',
      'Package: nats-server\nVersion: 2.15.1-1\nFilename: pool/main/n/nats-server/n.deb\nSHA256: bb',
    ].join('\n\n');
    assert.deepEqual(lib.findPackage(index, 'nats-server'), {
      version: '2.15.1-1',
      filename: 'pool/main/n/nats-server/n.deb',
      sha256: 'bb',
    });
    assert.equal(lib.findPackage(index, 'postgresql'), undefined);
  });

  it('the local stack does not reuse a server older than the minimum: it starts its own and says why', async () => {
    const script = join(dir, 'ensure-nats.mjs');
    await writeFile(
      script,
      `import { ensureNatsServer } from ${JSON.stringify(scriptLib('nats.mjs'))};\n` +
        `const r = await ensureNatsServer({ natsUrl: ${JSON.stringify(MACHINE_NATS)} });\n` +
        'console.log(`RESULT ${JSON.stringify({ url: r.url, pid: r.started?.pid })}`);\n',
    );
    const env = {
      ...process.env,
      TALLY_HOME: join(dir, 'home'),
      NATS_SERVER_BIN: natsServerBin(),
    } as Record<string, string>;
    const run = await runNodeScript(script, [], { env });
    const line = /^RESULT (.*)$/m.exec(run.stdout)?.[1];
    assert.ok(line, `no result; stdout: ${run.stdout} stderr: ${run.stderr}`);
    const { url, pid } = JSON.parse(line) as { url: string; pid?: number };
    assert.ok(pid, 'no server started');
    try {
      assert.match(
        run.stderr,
        /not reusing nats:\/\/127\.0\.0\.1:4222: it is nats-server 2\.9\.10/,
      );
      assert.notEqual(url, MACHINE_NATS);
      const nc = await connect({ servers: url });
      try {
        assert.notEqual(nc.info?.version, '2.9.10');
        assert.equal(nc.info?.jetstream, true);
      } finally {
        await nc.close();
      }
    } finally {
      process.kill(pid, 'SIGTERM');
      await waitFor(
        async () => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        },
        { timeoutMs: 15_000, what: `nats-server pid ${pid} to exit` },
      );
    }
  });
});
