import { connect, type Socket } from 'node:net';

/** What a server sent on a raw connection: its status line's code, headers and body. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A TCP connection to the server at `base` (`http://host:port`), once connected. */
export async function openSocket(base: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => {
    // NOTE: the server resets connections it refuses or times out; `socketClosed` sees that.
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  // NOTE: a paused socket never sees the server's end of the connection; read it so it does.
  socket.resume();
  return socket;
}

/** Whether the connection is closed, by either side. */
export function socketClosed(socket: Socket): boolean {
  return socket.destroyed || socket.closed || socket.readableEnded;
}

/**
 * Sends `request` as it is (no client sits in between to fix it) and reads the one response:
 * resolves as soon as its body is complete, or when the server closes the connection.
 */
export async function rawExchange(base: string, request: string | Buffer): Promise<RawResponse> {
  const socket = await openSocket(base);
  try {
    return await readResponse(socket, () => socket.write(request));
  } finally {
    socket.destroy();
  }
}

/** Reads one response from `socket`; `send` is called once the reader listens. */
export function readResponse(socket: Socket, send: () => void = () => {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const done = () => {
      const response = parse(received);
      if (response) resolve(response);
      else reject(new Error(`connection closed without a response: ${JSON.stringify(received)}`));
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const response = parse(received);
      if (response && complete(response)) resolve(response);
    });
    socket.once('close', done);
    send();
  });
}

function parse(bytes: Buffer): RawResponse | undefined {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  return { status, headers, body: bytes.subarray(end + 4).toString('utf8') };
}

function complete(response: RawResponse): boolean {
  const length = response.headers['content-length'];
  return length !== undefined && Buffer.byteLength(response.body) >= Number(length);
}
