import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { natsServerBinFromEnv } from './config.js';
import { workspaceRoot } from './workspace-paths.js';

const SYSTEM_BIN = '/usr/sbin/nats-server';
// Where scripts/lib/nats.mjs unpacks the Debian package: .tally/nats-server/<version>/usr/…
const FETCHED_DIR = ['.tally', 'nats-server'];
const BIN_IN_PACKAGE = ['usr/sbin/nats-server', 'usr/bin/nats-server'];

/** The oldest nats-server the project supports, from the one file that names its NATS versions. */
export function natsServerMinimum(): string {
  const file = join(workspaceRoot(), 'packages', 'nats', 'src', 'nats-server-version.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { minimum: string }).minimum;
}

/** The newest binary the scripts fetched into .tally/nats-server, if any. */
function fetchedBinary(): string | undefined {
  const dir = join(workspaceRoot(), ...FETCHED_DIR);
  if (!existsSync(dir)) return undefined;
  const versions = readdirSync(dir).filter((name) => semver.valid(name));
  for (const version of versions.sort(semver.rcompare)) {
    const bin = BIN_IN_PACKAGE.map((rel) => join(dir, version, rel)).find((f) => existsSync(f));
    if (bin) return bin;
  }
  return undefined;
}

function binaryVersion(bin: string): string {
  let output: string;
  try {
    output = execFileSync(bin, ['--version'], { encoding: 'utf8' });
  } catch (err) {
    throw new Error(
      `cannot run ${bin} --version: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return semver.coerce(output)?.version ?? output.trim();
}

let checkedBin: string | undefined;

/**
 * The nats-server the tests start: NATS_SERVER_BIN, else the one `node scripts/test.mjs` or
 * `node scripts/stack.mjs` fetched, else the system's. Throws, saying how to get a current one,
 * when it is older than the project's minimum: the tests would otherwise prove nothing about it.
 */
export function natsServerBin(): string {
  const bin = natsServerBinFromEnv() ?? fetchedBinary() ?? SYSTEM_BIN;
  if (checkedBin === bin) return bin;
  const version = binaryVersion(bin);
  const minimum = natsServerMinimum();
  if (!semver.valid(version) || semver.lt(version, minimum)) {
    throw new Error(
      `${bin} is nats-server ${version}; the tests need ${minimum} or newer. ` +
        'Run `node scripts/test.mjs` once (it fetches one into .tally/nats-server) or set NATS_SERVER_BIN',
    );
  }
  checkedBin = bin;
  return bin;
}
