import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { GatewayConfig } from '../config/gateway.config.js';
import { openConnections, refusedConnections, timedOutConnections } from './http-edge.metrics.js';

/**
 * Caps the connections the gateway holds (`HTTP_MAX_CONNECTIONS`: Node closes any connection
 * over it on arrival) and counts open, refused and idle-closed connections.
 */
@Injectable()
export class ConnectionLimits implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  onModuleInit(): void {
    const server = this.host.httpAdapter.getHttpServer() as Server;
    server.maxConnections = this.config.get('http.maxConnections', { infer: true });
    server.on('drop', () => refusedConnections.inc());
    server.on('connection', (socket: Socket) => {
      openConnections.inc();
      socket.once('close', () => openConnections.dec());
    });
    // NOTE: with a listener here Node no longer destroys a silent socket itself.
    server.on('timeout', (socket: Socket) => {
      timedOutConnections.inc({ reason: 'idle' });
      socket.destroy();
    });
  }
}
