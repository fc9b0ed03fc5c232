import { startAppProcess, type AppProcessHandle } from './app-process.js';
import { freePort } from './free-port.js';
import { appEntry, assertBuilt } from './workspace-paths.js';

export interface ServiceProcessOptions {
  /** How its logs and errors name it, e.g. one of several replicas; default: `app`. */
  name?: string;
  /** The app's environment; `HTTP_PORT` is added (a free port). */
  env: Record<string, string>;
  /** Default: the built app, `apps/<app>/dist/main.js` of the workspace. */
  entry?: string;
  /** Flags for node itself (see `AppProcessOptions.nodeArgs`). */
  nodeArgs?: readonly string[];
  /** How long `/readyz` may take to answer 200; startAppProcess's default when absent. */
  readyTimeoutMs?: number;
}

export interface ServiceProcess {
  readonly handle: AppProcessHandle;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `<origin>/readyz`, e.g. to poll again after `handle.restart()`. */
  readonly readyUrl: string;
}

/**
 * Starts one of the Tally apps (anything serving `/readyz` on `HTTP_PORT`) as a process on a
 * free loopback port and waits until it is ready. Stopping it is the caller's: `handle.kill()`.
 */
export async function startServiceProcess(
  app: string,
  opts: ServiceProcessOptions,
): Promise<ServiceProcess> {
  const entry = opts.entry ?? appEntry(app);
  assertBuilt(app, entry);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const readyUrl = `${origin}/readyz`;
  const handle = await startAppProcess({
    name: opts.name ?? app,
    entry,
    nodeArgs: opts.nodeArgs,
    env: { ...opts.env, HTTP_PORT: String(port) },
    readyUrl,
    readyTimeoutMs: opts.readyTimeoutMs,
  });
  return { handle, port, origin, readyUrl };
}
