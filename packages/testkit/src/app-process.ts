import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { readTail, withLogTail } from './log-tail.js';
import { ManagedProcess, waitUntilReady, type ExitInfo } from './managed-process.js';
import { httpGet } from './probes.js';

export interface AppProcessOptions {
  /** Used in errors and in the log file name. */
  name: string;
  /** Absolute path of the JS file run with `node`. */
  entry: string;
  /** Flags for node itself, before the entry: V8 flags, which NODE_OPTIONS does not take. */
  nodeArgs?: readonly string[];
  /** Merged over a minimal base env (PATH, HOME); nothing else is inherited. */
  env: Record<string, string>;
  /** Polled until it answers 200; without it the app counts as ready once spawned. */
  readyUrl?: string;
  /** Default 30 s. */
  readyTimeoutMs?: number;
}

export interface AppProcessHandle {
  /** pid of the current run; changes on restart(). */
  readonly pid: number;
  readonly name: string;
  /** stdout+stderr of every run, appended. */
  readonly logFile: string;
  /**
   * How the current run ended (a Nest app that shut down on SIGTERM re-raises it, so it ends by
   * signal SIGTERM; one that ignored it ends by the SIGKILL that follows); undefined while it runs.
   */
  readonly exit: ExitInfo | undefined;
  /** Sends the signal (default SIGTERM) and waits; resolves to the exit code, null if killed by a signal. */
  kill(signal?: 'SIGKILL' | 'SIGTERM'): Promise<number | null>;
  /** Stops the current run (SIGTERM) if still running, starts again with the same env, waits until ready. */
  restart(): Promise<void>;
  /** The captured output (the last 1 MiB), e.g. pino JSON lines. */
  logs(): string;
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const LOG_RETAIN_BYTES = 1024 * 1024;

export async function startAppProcess(opts: AppProcessOptions): Promise<AppProcessHandle> {
  if (!isAbsolute(opts.entry)) throw new Error(`entry must be an absolute path, got ${opts.entry}`);
  const safeName = opts.name.replace(/[^a-zA-Z0-9_.-]/g, '_');
  const dir = await mkdtemp(join(tmpdir(), `tally-app-${safeName}-`));
  const logFile = join(dir, `${safeName}.log`);
  const env: NodeJS.ProcessEnv = { ...baseEnv(), ...opts.env };

  const launch = async (): Promise<ManagedProcess> => {
    const proc = await ManagedProcess.spawn({
      command: process.execPath,
      args: [...(opts.nodeArgs ?? []), opts.entry],
      env,
      logFile,
    });
    if (opts.readyUrl === undefined) return proc;
    const readyUrl = opts.readyUrl;
    const timeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    try {
      await waitUntilReady(
        proc,
        opts.name,
        async () => {
          const answer = await httpGet(readyUrl);
          if (answer.status !== 200) throw new Error(`${readyUrl} answered ${answer.status}`);
        },
        { timeoutMs, intervalMs: 100, what: `${opts.name} at ${readyUrl}` },
      );
    } catch (err) {
      await proc.terminate('SIGKILL');
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(withLogTail(message, opts.name, logFile), { cause: err });
    }
    return proc;
  };

  let current = await launch();
  return {
    get pid() {
      return current.pid;
    },
    get exit() {
      return current.exit;
    },
    name: opts.name,
    logFile,
    async kill(signal = 'SIGTERM') {
      return (await current.terminate(signal)).code;
    },
    async restart() {
      await current.terminate('SIGTERM');
      current = await launch();
    },
    logs: () => readTail(logFile, LOG_RETAIN_BYTES),
  };
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME'] as const) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}
