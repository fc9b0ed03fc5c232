import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { QueuedEvent } from '../sdk-types.js';

/** One scripted answer: a status with headers and body, or a connection dropped mid-request. */
export type FakeAnswer =
  { status: number; headers?: Record<string, string>; body?: unknown } | { drop: true };

export interface ReceivedRequest {
  at: number;
  path: string | undefined;
  bodyBytes: number;
  authorization: string | undefined;
  events: QueuedEvent[];
  sentAt: string | undefined;
}

/**
 * A local stand-in for `POST /v1/events` on 127.0.0.1: answers from a script, then with 202
 * accepting everything; records every request it saw.
 */
export class FakeGateway {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: Array<FakeAnswer | ((request: ReceivedRequest) => FakeAnswer)> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  private fallback: FakeAnswer = { status: 202 };

  /** The answer once the script has run out; a 202 accepting everything unless set. */
  otherwise(answer: FakeAnswer): void {
    this.fallback = answer;
  }

  /** Answers for the next requests, in order. */
  answerNext(...answers: Array<FakeAnswer | ((request: ReceivedRequest) => FakeAnswer)>): void {
    this.script.push(...answers);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = JSON.parse(raw.toString('utf8')) as {
      events: QueuedEvent[];
      sentAt?: string;
    };
    const request: ReceivedRequest = {
      at: Date.now(),
      path: req.url,
      bodyBytes: raw.byteLength,
      authorization: req.headers.authorization,
      events: body.events,
      sentAt: body.sentAt,
    };
    this.requests.push(request);
    const next = this.script.shift() ?? this.fallback;
    const answer = typeof next === 'function' ? next(request) : next;
    if ('drop' in answer) {
      req.socket.destroy();
      return;
    }
    const payload = answer.body ?? { accepted: body.events.length, rejected: [] };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(payload));
  }
}
