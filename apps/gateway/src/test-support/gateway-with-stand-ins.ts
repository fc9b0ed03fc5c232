import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, type NatsServerHandle } from '@tally/testkit';
import { startGateway, type GatewayUnderTest } from './gateway-under-test.js';
import { standInServices } from './service-stand-ins.js';

export interface GatewayWithStandIns {
  /** The private nats-server everything runs on. */
  nats: NatsServerHandle;
  /** The connection the stand-ins answer on; tests also publish and inspect NATS through it. */
  peer: NatsConnection;
  gateway: GatewayUnderTest;
  /** Stops the gateway, then the peer, then the server. */
  close(): Promise<void>;
}

/**
 * A private nats-server, the services the gateway talks to as stand-ins on a peer connection
 * (`standInServices` unless the test brings its own), and the gateway in-process on `env`.
 */
export async function gatewayWithStandIns(
  env: Record<string, string>,
  standIns: (peer: NatsConnection) => void = standInServices,
): Promise<GatewayWithStandIns> {
  const nats = await startNatsServer();
  const peer = await connect({ servers: nats.url });
  // Subscribed before the gateway starts, so its first request already finds them.
  standIns(peer);
  const gateway = await startGateway(nats.url, env);
  return {
    nats,
    peer,
    gateway,
    async close() {
      await gateway.close();
      await peer.close();
      await nats.stop();
    },
  };
}
