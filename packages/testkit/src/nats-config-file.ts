import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onProcessExit } from './exit-cleanup.js';
import { freePorts } from './free-port.js';
import { natsServerBin } from './nats-binary.js';
import { NatsNode, type NatsServerHandle } from './nats-node.js';

const READY_TIMEOUT_MS = 30_000;
const run = promisify(execFile);

export interface ConfigNodePorts {
  client: number;
  monitor: number;
  /** Cluster (route) port; only for files with a `cluster {}` block. */
  route: number;
}

/** One replacement applied to a shipped config; a file it does not match is an error. */
interface Rewrite {
  what: string;
  pattern: RegExp;
  replacement: string;
  /** Only in files with a `cluster {}` block. */
  clusterOnly?: boolean;
}

function rewrites(ports: ConfigNodePorts, routes: readonly string[], storeDir: string): Rewrite[] {
  return [
    { what: 'listen', pattern: /^listen: .*$/m, replacement: `listen: 127.0.0.1:${ports.client}` },
    { what: 'http', pattern: /^http: .*$/m, replacement: `http: 127.0.0.1:${ports.monitor}` },
    {
      what: 'store_dir',
      pattern: /^(\s*)store_dir: .*$/m,
      replacement: `$1store_dir: "${storeDir}"`,
    },
    {
      what: 'cluster listen',
      pattern: /^(\s+)listen: .*:6222$/m,
      replacement: `$1listen: 127.0.0.1:${ports.route}`,
      clusterOnly: true,
    },
    {
      what: 'routes',
      pattern: /^(\s+)routes: \[[^\]]*\]/m,
      replacement: `$1routes: [\n${routes.map((r) => `$1  ${r}`).join('\n')}\n$1]`,
      clusterOnly: true,
    },
  ];
}

/**
 * A shipped config made runnable here: its addresses become loopback ports of ours, its store
 * directory a temp one, its routes the other test nodes. Every other option stays as shipped.
 * Throws when an expected setting is missing, so a reshaped file is noticed rather than skipped.
 */
export function localiseNatsConfig(
  text: string,
  ports: ConfigNodePorts,
  routes: readonly string[],
  storeDir: string,
): string {
  const clustered = /^cluster\s*\{/m.test(text);
  let out = text;
  for (const rewrite of rewrites(ports, routes, storeDir)) {
    if (rewrite.clusterOnly && !clustered) continue;
    if (!rewrite.pattern.test(out)) {
      throw new Error(`the config has no ${rewrite.what} line to rewrite`);
    }
    out = out.replace(rewrite.pattern, rewrite.replacement);
  }
  return out;
}

/**
 * `nats-server -t -c <file> [flags]`: resolves when the server accepts the file (with the command
 * line flags a deployment adds), rejects with the server's own words (e.g. `unknown field "…"`,
 * `Duplicate 'store_dir' configuration`) when it does not.
 */
export async function checkNatsConfig(file: string, flags: readonly string[] = []): Promise<void> {
  try {
    await run(natsServerBin(), ['-t', '-c', file, ...flags]);
  } catch (err) {
    const output = (err as { stderr?: string; stdout?: string }).stderr || String(err);
    throw new Error(`nats-server rejects ${file}: ${output.trim()}`, { cause: err });
  }
}

export interface ConfigNodesHandle {
  readonly nodes: NatsServerHandle[];
  /** The client URLs of all nodes. */
  readonly urls: string[];
  /** The configs as started (temp copies), in node order. */
  readonly files: string[];
  stop(): Promise<void>;
}

function serverName(text: string, file: string): string {
  const name = /^server_name: (\S+)$/m.exec(text)?.[1];
  if (!name) throw new Error(`${file} has no server_name`);
  return name;
}

/**
 * Starts one nats-server per config file (one file: a single server; several: a cluster whose
 * routes are rewritten to point at each other), each from a localised temp copy that first
 * passes `nats-server -t`, and waits until all are ready (a cluster: with a meta leader).
 */
export async function startNatsFromConfigs(shipped: readonly string[]): Promise<ConfigNodesHandle> {
  const picked = await freePorts(shipped.length * 3);
  const portsOf = (i: number): ConfigNodePorts => ({
    client: picked[3 * i] as number,
    monitor: picked[3 * i + 1] as number,
    route: picked[3 * i + 2] as number,
  });
  const routes = shipped.map((_, i) => `nats://127.0.0.1:${portsOf(i).route}`);
  const root = await mkdtemp(join(tmpdir(), 'tally-nats-config-'));
  const forgetRoot = onProcessExit(() => rmSync(root, { recursive: true, force: true }));
  const nodes: NatsNode[] = [];
  const files: string[] = [];
  const stop = async (): Promise<void> => {
    // NOTE: `nodes` has holes where a node failed to start; map skips them.
    await Promise.all(nodes.map((n) => n.stop()));
    await rm(root, { recursive: true, force: true });
    forgetRoot();
  };
  const starting = shipped.map(async (source, i) => {
    const dir = join(root, `node${i}`);
    await mkdir(dir);
    const text = localiseNatsConfig(
      await readFile(source, 'utf8'),
      portsOf(i),
      routes,
      join(dir, 'store'),
    );
    const file = join(dir, 'nats.conf');
    await writeFile(file, text);
    files[i] = file;
    await checkNatsConfig(file);
    const clustered = shipped.length > 1;
    const node = await NatsNode.start({
      dir,
      port: portsOf(i).client,
      monitorPort: portsOf(i).monitor,
      jetstream: true,
      readyTimeoutMs: READY_TIMEOUT_MS,
      configFile: file,
      ...(clustered && {
        cluster: { serverName: serverName(text, source), name: '', port: portsOf(i).route, routes },
      }),
    });
    nodes[i] = node;
  });
  const failed = (await Promise.allSettled(starting)).find((r) => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { nodes, urls: nodes.map((n) => n.url), files, stop };
}
