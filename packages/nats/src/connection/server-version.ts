import type { ServerInfo } from '@nats-io/transport-node';
import semver from 'semver';
import versions from '../nats-server-version.json' with { type: 'json' };

/** The release compose, k8s and the tests run; docs/decisions.md says why the minimum is what it is. */
export const NATS_SERVER_RELEASE: string = versions.release;
/** The oldest nats-server the apps start against. */
export const NATS_SERVER_MINIMUM: string = versions.minimum;

/** The server the app connected to cannot carry Tally: refused at start, before any provisioning. */
export class UnsupportedNatsServerError extends Error {
  override readonly name = 'UnsupportedNatsServerError';
}

/**
 * Throws UnsupportedNatsServerError when the server (its INFO, as the client saw it on connect) is
 * older than `minimum` or runs without JetStream; the message names both versions.
 */
export function assertSupportedServer(
  info: Pick<ServerInfo, 'version' | 'jetstream'> | undefined,
  server: string,
  minimum = NATS_SERVER_MINIMUM,
): void {
  const version = info?.version ?? 'unknown';
  // NOTE: coerce, so that a pre-release such as 2.15.1-beta counts as 2.15.1.
  const parsed = semver.coerce(version);
  if (!parsed || semver.lt(parsed, minimum)) {
    throw new UnsupportedNatsServerError(
      `NATS server ${server} runs nats-server ${version}; Tally needs nats-server ${minimum} or newer ` +
        `(it ships with ${NATS_SERVER_RELEASE}): upgrade the server or point NATS_URL at a newer one`,
    );
  }
  if (!info?.jetstream) {
    throw new UnsupportedNatsServerError(
      `NATS server ${server} (nats-server ${version}) runs without JetStream; Tally needs JetStream: ` +
        'start the server with -js or a jetstream {} block in its config',
    );
  }
}
