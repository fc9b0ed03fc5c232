// pnpm, apt and the workspace build: the steps before any server or app starts (the Node they
// run on is node-runtime.mjs's).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TALLY_HOME } from './config.mjs';
import { ROOT, SetupError, capture, isRoot, log, run, which } from './proc.mjs';

/** The pnpm version the workspace pins in package.json's `packageManager`. */
export function pinnedPnpmVersion() {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(pkg.packageManager ?? '');
  if (!match) throw new SetupError('package.json has no "packageManager": "pnpm@x.y.z" field');
  return match[1];
}

/**
 * Returns the path of a pnpm binary of the pinned version, installing it with npm when it is
 * missing or different. NOTE: corepack cannot be used here: its download fails signature checks,
 * and a pnpm of another version tries to switch itself and fails. npm's pnpm starts with
 * `#!/usr/bin/env node`, so it runs on the first node on PATH: the fetched one after
 * runOnSupportedNode re-ran the script.
 */
export async function ensurePnpm() {
  const wanted = pinnedPnpmVersion();
  const existing = which('pnpm');
  if (existing) {
    const version = capture(existing, ['--version']).stdout.trim();
    if (version === wanted) return existing;
    log.warn(
      `pnpm ${version || '(unknown version)'} found at ${existing}; this workspace pins ${wanted}`,
    );
  }
  const npm = which('npm');
  if (!npm) throw new SetupError('npm is not on PATH; install Node.js with npm first');
  // NOTE: on a Node fetched into the project folder, pnpm goes beside it (no root needed).
  const fetchedHome = path.dirname(path.dirname(process.execPath));
  const prefixArgs = fetchedHome.startsWith(`${TALLY_HOME}${path.sep}`)
    ? ['--prefix', fetchedHome]
    : [];
  const prefix = prefixArgs[1] ?? capture(npm, ['prefix', '-g']).stdout.trim();
  log.step(`Installing pnpm@${wanted} with npm into ${prefix} (npm i -g pnpm@${wanted})`);
  try {
    await run(npm, ['install', '--global', ...prefixArgs, `pnpm@${wanted}`]);
  } catch (err) {
    throw new SetupError(
      `${err.message}\n  Installing pnpm globally needs write access to npm's global prefix ` +
        `(${prefix}). Run as root, or install pnpm@${wanted} yourself.`,
    );
  }
  const installed = which('pnpm') ?? path.join(prefix, 'bin', 'pnpm');
  const version = capture(installed, ['--version']).stdout.trim();
  if (version !== wanted) {
    throw new SetupError(
      `installed pnpm@${wanted} but ${installed} reports "${version}"; is ${prefix}/bin on PATH?`,
    );
  }
  return installed;
}

export async function pnpmInstall(pnpm) {
  log.step('Installing dependencies (pnpm install --frozen-lockfile)');
  await run(pnpm, ['install', '--frozen-lockfile']);
}

/** `pnpm turbo run build`; resolves with the exit status instead of throwing. */
export async function buildWorkspace(pnpm) {
  log.step('Building the workspace (pnpm turbo run build)');
  return run(pnpm, ['turbo', 'run', 'build'], { allowFailure: true });
}

let aptUpdated = false;

export const canApt = () => isRoot() && Boolean(which('apt-get'));

/** apt-get install as root, with one `apt-get update` per run. */
export async function aptInstall(packages) {
  if (!canApt()) {
    throw new SetupError(`cannot install ${packages.join(' ')}: needs root and apt-get`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log.step('apt-get update');
    await run('apt-get', ['update'], { env });
    aptUpdated = true;
  }
  log.step(`apt-get install -y ${packages.join(' ')}`);
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });
}

/**
 * Path of the executable `command` (the `envVar` variable wins), installed with apt from
 * `aptPackage` when it is missing and this run may use apt; a clear error naming both otherwise.
 */
export async function ensureAptBinary({ command, envVar, aptPackage }) {
  const configured = process.env[envVar];
  if (configured) {
    if (!which(configured) && !path.isAbsolute(configured)) {
      throw new SetupError(`${envVar}=${configured} is not an executable`);
    }
    return which(configured) ?? configured;
  }
  const found = which(command);
  if (found) return found;
  if (!canApt()) {
    throw new SetupError(
      `${command} is not installed. Install it (Debian: sudo apt-get install -y ${aptPackage}), ` +
        `or set ${envVar} to its path.`,
    );
  }
  await aptInstall([aptPackage]);
  const installed = which(command);
  if (!installed) {
    throw new SetupError(`apt installed ${aptPackage} but ${command} is not on PATH`);
  }
  return installed;
}
