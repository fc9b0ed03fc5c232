// The one place that names the NATS version (packages/nats/src/nats-server-version.json), read by
// the scripts; the apps import the same file. Node built-ins only: these scripts run before
// `pnpm install`, so versions are compared here rather than with a library.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './proc.mjs';

export const NATS_VERSION_FILE = path.join(ROOT, 'packages/nats/src/nats-server-version.json');

/** `{ release, minimum }`: the release shipped (compose, k8s, tests) and the oldest the apps accept. */
export function natsServerVersion() {
  return JSON.parse(readFileSync(NATS_VERSION_FILE, 'utf8'));
}

/** [major, minor, patch] of a version such as `2.15.1` or `2.15.1-beta.2`; undefined if not one. */
export function parseVersion(text) {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text ?? '');
  return match ? match.slice(1, 4).map(Number) : undefined;
}

/** True when version `a` is at least `b` (both `x.y.z` strings; an unparsable `a` is not). */
export function versionAtLeast(a, b) {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) return false;
  for (let i = 0; i < 3; i++) {
    if (left[i] !== right[i]) return left[i] > right[i];
  }
  return true;
}

/** `2.15` of `2.15.1`: the release line compose and k8s pin. */
export function releaseLine(version) {
  const parsed = parseVersion(version);
  return parsed ? `${parsed[0]}.${parsed[1]}` : version;
}
