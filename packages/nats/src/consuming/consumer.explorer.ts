import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { NatsConnection } from '../connection/nats-connection.js';
import { DecoratedMethods } from '../discovery/decorated-methods.js';
import { DEFAULT_CONSUMER_OPTIONS, NATS_OPTIONS, type NatsModuleOptions } from '../nats.options.js';
import { JetStreamProvisioner } from '../provisioning/jetstream-provisioner.js';
import type { ConsumedBatch } from './consumed-batch.js';
import { ConsumerRunner, type ConsumerRunnerDeps } from './consumer-runner.js';
import { abortableDelay } from './abortable-delay.js';
import { DeadLetters } from './dead-letters.js';
import { HandlingLog } from './handling-log.js';
import { JETSTREAM_CONSUMER, type JetStreamConsumerSpec } from './jetstream-consumer.decorator.js';
import {
  AllPartitions,
  PARTITION_OWNERSHIP,
  type PartitionOwnership,
  type PartitionWork,
} from './partition-ownership.js';

type Handler = (batch: ConsumedBatch<unknown>) => Promise<unknown>;

/** Starts a runner for every `@JetStreamConsumer` method and stops them all at shutdown. */
@Injectable()
export class ConsumerExplorer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ConsumerExplorer.name);
  private readonly stop = new AbortController();
  private readonly running: Promise<void>[] = [];
  private readonly deps: ConsumerRunnerDeps;

  constructor(
    nats: NatsConnection,
    provisioner: JetStreamProvisioner,
    deadLetters: DeadLetters,
    handlingLog: HandlingLog,
    private readonly methods: DecoratedMethods,
    @Inject(NATS_OPTIONS) private readonly options: NatsModuleOptions,
    @Optional()
    @Inject(PARTITION_OWNERSHIP)
    private readonly ownership: PartitionOwnership = new AllPartitions(),
  ) {
    const defaults = { ...DEFAULT_CONSUMER_OPTIONS, ...options.consumers };
    this.deps = { nats, provisioner, deadLetters, handlingLog, defaults };
  }

  onApplicationBootstrap(): void {
    for (const { spec, handler } of this.methods.find<JetStreamConsumerSpec>(JETSTREAM_CONSUMER)) {
      this.running.push(this.supervise(spec, handler));
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled(this.running);
  }

  private async supervise(spec: JetStreamConsumerSpec, handler: Handler): Promise<void> {
    const { subject } = spec;
    if (typeof subject === 'string') {
      const instance = { durable: spec.durable, filterSubject: subject };
      return this.keepRunning(
        () => new ConsumerRunner(this.deps, spec, handler, instance),
        this.stop.signal,
      );
    }
    const partitions = this.options.partitions ?? 1;
    await this.ownership.run(
      spec.durable,
      partitions,
      (work: PartitionWork) => {
        const instance = {
          durable: `${spec.durable}-p${work.partition}`,
          filterSubject: subject(work.partition),
          partition: work.partition,
        };
        return this.keepRunning(
          () => new ConsumerRunner(this.deps, spec, handler, instance),
          work.signal,
        );
      },
      this.stop.signal,
    );
  }

  /** A runner that fails (e.g. NATS unreachable at start) is restarted until shutdown. */
  private async keepRunning(create: () => ConsumerRunner, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await create().run(signal);
      } catch (err) {
        this.logger.error({ err }, 'consumer stopped; restarting');
        await abortableDelay(1_000, signal);
      }
    }
  }
}
