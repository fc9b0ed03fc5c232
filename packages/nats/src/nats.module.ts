import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { NatsConnection } from './connection/nats-connection.js';
import { ConsumerExplorer } from './consuming/consumer.explorer.js';
import { DeadLetters } from './consuming/dead-letters.js';
import { HandlingLog } from './consuming/handling-log.js';
import { DecoratedMethods } from './discovery/decorated-methods.js';
import { DEFAULT_CONSUMER_OPTIONS, NATS_OPTIONS, type NatsModuleOptions } from './nats.options.js';
import { JetStreamProvisioner } from './provisioning/jetstream-provisioner.js';
import { JetStreamPublisher } from './publishing/jetstream-publisher.js';
import { NatsRequester } from './request-reply/nats-requester.js';
import { RequestHandlerExplorer } from './request-reply/request-handler.explorer.js';

export interface NatsModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: unknown[];
  useFactory: (...args: never[]) => NatsModuleOptions | Promise<NatsModuleOptions>;
}

/** Global NATS/JetStream plumbing: one connection, publisher, requester, decorated handlers. */
@Global()
@Module({})
export class NatsModule {
  static forRootAsync(options: NatsModuleAsyncOptions): DynamicModule {
    return {
      module: NatsModule,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        {
          provide: NATS_OPTIONS,
          useFactory: options.useFactory,
          inject: (options.inject ?? []) as never[],
        },
        {
          provide: NatsConnection,
          inject: [NATS_OPTIONS],
          useFactory: async (opts: NatsModuleOptions) => {
            const connection = await NatsConnection.open(opts);
            await new JetStreamProvisioner(connection).ensureStreams(opts.streams ?? []);
            return connection;
          },
        },
        JetStreamProvisioner,
        JetStreamPublisher,
        NatsRequester,
        DeadLetters,
        {
          provide: HandlingLog,
          inject: [NatsConnection, NATS_OPTIONS],
          useFactory: (nats: NatsConnection, opts: NatsModuleOptions) =>
            new HandlingLog(
              nats,
              opts.consumers?.handlingReplicas ?? DEFAULT_CONSUMER_OPTIONS.handlingReplicas,
            ),
        },
        DecoratedMethods,
        RequestHandlerExplorer,
        ConsumerExplorer,
      ],
      exports: [
        NatsConnection,
        JetStreamProvisioner,
        JetStreamPublisher,
        NatsRequester,
        DeadLetters,
      ],
    };
  }
}
