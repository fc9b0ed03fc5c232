import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Drains the request and answers 204, as a webhook receiver that takes everything. */
const noContent: RequestListener = (req, res) => {
  req.resume();
  res.writeHead(204).end();
};

/** A webhook receiver on 127.0.0.1 (a free port) that counts the requests it was sent. */
export class LoopbackReceiver {
  /** Requests received so far, whatever they were answered. */
  requests = 0;

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>` */
    readonly origin: string,
    readonly port: number,
  ) {}

  /** Listens with `handler` (by default: drain and answer 204). */
  static async start(handler: RequestListener = noContent): Promise<LoopbackReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new LoopbackReceiver(server, `http://127.0.0.1:${port}`, port);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      receiver.requests++;
      handler(req, res);
    });
    return receiver;
  }

  /** Drops open (keep-alive) connections, then stops listening. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
