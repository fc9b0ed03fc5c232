// The Node.js the scripts and everything they start run on: the version package.json's `engines`
// allows, fetched from the npm registry (the `node-linux-<arch>` package, version from
// .node-version) when the running node is older, then the script re-runs itself under it.
// Node built-ins only: this runs before `pnpm install`, on whatever node the machine has.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { TALLY_HOME } from './config.mjs';
import { ROOT, SetupError, capture, log, which } from './proc.mjs';

/** Set in the re-run script's environment, so a second re-run can be refused instead of looping. */
const REEXEC_MARK = 'TALLY_NODE_REEXEC';

function parseVersion(text, what) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!match) throw new SetupError(`${what} is not a version x.y.z: ${JSON.stringify(text)}`);
  return match.slice(1, 4).map(Number);
}

/**
 * The pinned version (.node-version, the one place that names it) and the range package.json's
 * `engines.node` allows. NOTE: only the caret form `^x.y.z` is understood (same major, at least
 * x.y.z), so the scripts need no semver library before `pnpm install`.
 */
export function nodePolicy(root = ROOT) {
  const pinned = readFileSync(path.join(root, '.node-version'), 'utf8').trim();
  const engines = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines?.node;
  const caret = /^\^(\d+\.\d+\.\d+)$/.exec(engines ?? '');
  if (!caret) {
    throw new SetupError(
      `package.json engines.node must be "^x.y.z", got ${JSON.stringify(engines)}`,
    );
  }
  const policy = { pinned, minimum: caret[1], range: engines };
  if (!satisfiesPolicy(pinned, policy)) {
    throw new SetupError(`.node-version ${pinned} is outside package.json engines.node ${engines}`);
  }
  return policy;
}

/** True when `version` has the minimum's major and is at least the minimum. */
export function satisfiesPolicy(version, policy) {
  const have = parseVersion(version, 'node version');
  const min = parseVersion(policy.minimum, 'engines minimum');
  if (have[0] !== min[0]) return false;
  for (let i = 1; i < 3; i += 1) {
    if (have[i] !== min[i]) return have[i] > min[i];
  }
  return true;
}

/** The project folder a fetched Node lives in: `.tally/node/<version>/` (bin/node inside). */
export const nodeHome = (version) => path.join(TALLY_HOME, 'node', version);

/** npm's package of the official Linux build for this machine's CPU. */
function nodePackage(version) {
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new SetupError(
      `Node.js ${version} is needed, and only Linux x64/arm64 builds can be fetched here ` +
        `(this is ${process.platform}-${process.arch}); install Node.js ${version} yourself`,
    );
  }
  return `node-linux-${process.arch}@${version}`;
}

const sha512 = (file) =>
  `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/** The registry's integrity hash of a package version (`npm view <spec> dist.integrity`). */
function registryIntegrity(npm, spec) {
  const res = capture(npm, ['view', spec, 'dist.integrity']);
  const integrity = res.stdout.trim();
  if (res.status !== 0 || !integrity.startsWith('sha512-')) {
    throw new SetupError(`\`npm view ${spec} dist.integrity\` failed: ${res.stderr.trim()}`);
  }
  return integrity;
}

/**
 * Downloads the pinned Node into nodeHome(version) with `npm pack`, checks the tarball against
 * the registry's sha512 integrity and the binary's own `--version`, and returns its bin folder.
 * A folder that already holds a working node of that version is used as it is.
 */
export function ensurePinnedNode(version) {
  const home = nodeHome(version);
  const bin = path.join(home, 'bin');
  if (existsSync(home) && nodeVersionOf(bin) === version) return bin;
  const npm = which('npm');
  if (!npm) throw new SetupError(`npm is not on PATH; it is needed to fetch Node.js ${version}`);
  const spec = nodePackage(version);
  log.step(`Fetching Node.js ${version} (npm pack ${spec}) into ${path.relative(ROOT, home)}/`);
  const parent = path.dirname(home);
  mkdirSync(parent, { recursive: true });
  const work = mkdtempSync(path.join(parent, `.${version}-`));
  try {
    const packed = capture(npm, ['pack', spec, '--json', '--pack-destination', work]);
    if (packed.status !== 0) {
      throw new SetupError(`\`npm pack ${spec}\` failed: ${packed.stderr.trim()}`);
    }
    const tarball = path.join(work, JSON.parse(packed.stdout)[0].filename);
    const expected = registryIntegrity(npm, spec);
    if (sha512(tarball) !== expected) {
      throw new SetupError(
        `${spec}: the downloaded tarball does not match the registry's ${expected}`,
      );
    }
    const unpacked = path.join(work, 'package');
    const untar = capture('tar', ['-xzf', tarball, '-C', work]);
    if (untar.status !== 0) throw new SetupError(`cannot unpack ${tarball}: ${untar.stderr}`);
    if (nodeVersionOf(path.join(unpacked, 'bin')) !== version) {
      throw new SetupError(`${spec} does not run here (its bin/node --version failed)`);
    }
    rmSync(home, { recursive: true, force: true });
    // NOTE: renamed into place only once it works, so a broken download is never reused.
    renameSync(unpacked, home);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log.ok(`Node.js ${version} is in ${path.relative(ROOT, home)}/ (sha512 checked)`);
  return bin;
}

function nodeVersionOf(bin) {
  const res = capture(path.join(bin, 'node'), ['--version']);
  return res.status === 0 ? res.stdout.trim().replace(/^v/, '') : undefined;
}

/**
 * Makes the calling script run on a Node the workspace allows. Returns undefined when the running
 * node already does (the script goes on); otherwise fetches the pinned Node, re-runs the same
 * script and arguments under it with its bin first on PATH (so pnpm, turbo, `node --test` and the
 * apps run on it too) and resolves with the re-run's exit status, which the caller returns.
 */
export async function runOnSupportedNode({ running = process.versions.node } = {}) {
  const policy = nodePolicy();
  if (satisfiesPolicy(running, policy)) {
    log.ok(`Node.js ${running} (${process.execPath})`);
    return undefined;
  }
  if (process.env[REEXEC_MARK]) {
    throw new SetupError(
      `re-ran under Node.js ${policy.pinned} but it reports ${running}; remove ${path.relative(ROOT, nodeHome(policy.pinned))}`,
    );
  }
  log.warn(
    `Node.js ${running} is running; this workspace needs ${policy.range} (package.json engines)`,
  );
  const bin = ensurePinnedNode(policy.pinned);
  log.step(`Re-running under Node.js ${policy.pinned} (${path.relative(ROOT, bin)} first on PATH)`);
  return reexec(path.join(bin, 'node'), {
    ...process.env,
    PATH: [bin, process.env.PATH].filter(Boolean).join(path.delimiter),
    [REEXEC_MARK]: '1',
  });
}

/** Runs this script again under `node`, forwarding SIGTERM/SIGHUP; resolves with its status. */
function reexec(node, env) {
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], {
    env,
    stdio: 'inherit',
  });
  // NOTE: Ctrl-C reaches the child directly (same process group); this process only waits for it.
  const forward = (signal) => child.kill(signal);
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      log.error(`cannot run ${node}: ${err.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}
