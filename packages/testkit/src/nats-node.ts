import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { natsServerBin } from './nats-binary.js';
import { withLogTail } from './log-tail.js';
import { onProcessExit } from './exit-cleanup.js';
import { ManagedProcess, waitUntilReady } from './managed-process.js';
import { checkNatsNode, readMetaCluster } from './nats-monitor.js';

export interface NatsServerHandle {
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  /** The server name (`-n`) of a cluster node, as JetStream reports leaders. */
  readonly serverName?: string;
  /** The -sd directory; survives kill() and restart(), removed by stop(). */
  readonly storeDir: string;
  /** stdout+stderr of every run of this server, appended. */
  readonly logFile: string;
  /** SIGTERM, wait for exit, remove the temp dir. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit; the store dir stays for restart(). */
  kill(): Promise<void>;
  /** Start again on the same ports and store dir and wait until ready. */
  restart(): Promise<void>;
}

export interface NatsNodeSpec {
  /** Temp dir owned by this node: store dir and log live inside it. */
  dir: string;
  port: number;
  monitorPort: number;
  jetstream: boolean;
  readyTimeoutMs: number;
  cluster?: { serverName: string; name: string; port: number; routes: string[] };
  /**
   * Start with `-c <file>` and nothing else: the file itself must say what the other fields
   * describe (they are what readiness is checked against).
   */
  configFile?: string;
}

export class NatsNode implements NatsServerHandle {
  private proc: ManagedProcess | undefined;
  private stopped = false;
  private everReady = false;
  private readonly forgetDir: () => void;

  private constructor(private readonly spec: NatsNodeSpec) {
    // A test that never calls stop() must not leave store dirs behind.
    this.forgetDir = onProcessExit(() => rmSync(spec.dir, { recursive: true, force: true }));
  }

  static async start(spec: NatsNodeSpec): Promise<NatsNode> {
    const node = new NatsNode(spec);
    try {
      await node.launch();
    } catch (err) {
      node.forgetDir();
      throw err;
    }
    return node;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.spec.port}`;
  }
  get port(): number {
    return this.spec.port;
  }
  get monitorPort(): number {
    return this.spec.monitorPort;
  }
  get storeDir(): string {
    return join(this.spec.dir, 'store');
  }
  get logFile(): string {
    return join(this.spec.dir, 'nats-server.log');
  }
  get serverName(): string | undefined {
    return this.spec.cluster?.serverName;
  }
  get running(): boolean {
    return this.proc?.running ?? false;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.proc?.terminate('SIGTERM');
    await rm(this.spec.dir, { recursive: true, force: true });
    this.forgetDir();
  }

  async kill(): Promise<void> {
    this.assertNotStopped();
    await this.proc?.terminate('SIGKILL');
  }

  async restart(): Promise<void> {
    this.assertNotStopped();
    await this.proc?.terminate('SIGTERM');
    await this.launch();
  }

  private assertNotStopped(): void {
    if (this.stopped) {
      throw new Error(`nats-server ${this.url} was stopped and its store dir removed`);
    }
  }

  private args(): string[] {
    const { port, monitorPort, jetstream, cluster, configFile } = this.spec;
    if (configFile) return ['-c', configFile];
    const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)];
    if (jetstream) args.push('-js', '-sd', this.storeDir);
    if (cluster) {
      args.push(
        '-n',
        cluster.serverName,
        '--cluster',
        `nats://127.0.0.1:${cluster.port}`,
        '--cluster_name',
        cluster.name,
        '--routes',
        cluster.routes.join(','),
      );
    }
    return args;
  }

  private async launch(): Promise<void> {
    const proc = await ManagedProcess.spawn({
      command: natsServerBin(),
      args: this.args(),
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      logFile: this.logFile,
    });
    this.proc = proc;
    const { port, monitorPort, jetstream, cluster, readyTimeoutMs } = this.spec;
    try {
      await waitUntilReady(
        proc,
        'nats-server',
        async () => {
          await checkNatsNode(port, monitorPort, jetstream);
          // A clustered node is only useful once it sees a JetStream meta leader.
          if (cluster && (await readMetaCluster(monitorPort)).leader === undefined) {
            throw new Error('no JetStream meta leader yet');
          }
        },
        { timeoutMs: readyTimeoutMs, intervalMs: 50, what: `nats-server ${this.url} to be ready` },
      );
      this.everReady = true;
    } catch (err) {
      await proc.terminate('SIGKILL');
      const message = err instanceof Error ? err.message : String(err);
      // The temp dir of a server that never came up is removed by the caller.
      const where = this.everReady ? this.logFile : 'removed with its temp dir';
      throw new Error(withLogTail(message, 'nats-server', this.logFile, where), { cause: err });
    }
  }
}

export function isPortClash(err: unknown): boolean {
  return err instanceof Error && /address already in use/i.test(err.message);
}
