// pnpm, apt and the workspace build: the steps before any server or app starts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
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
 * and a pnpm of another version tries to switch itself and fails.
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
  log.step(`Installing pnpm@${wanted} with npm (npm i -g pnpm@${wanted})`);
  const npm = which('npm');
  if (!npm) throw new SetupError('npm is not on PATH; install Node.js 20 with npm first');
  try {
    await run(npm, ['install', '--global', `pnpm@${wanted}`]);
  } catch (err) {
    throw new SetupError(
      `${err.message}\n  Installing pnpm globally needs write access to npm's global prefix ` +
        `(${capture(npm, ['prefix', '-g']).stdout.trim()}). Run as root, or install pnpm@${wanted} yourself.`,
    );
  }
  const prefix = capture(npm, ['prefix', '-g']).stdout.trim();
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
