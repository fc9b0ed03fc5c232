import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { onProcessExit } from './exit-cleanup.js';
import { GiveUpWaiting, waitFor, type WaitForOptions } from './wait-for.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here (shared with earlier runs). */
  logFile: string;
}

/** How long a SIGTERM may take before the process is SIGKILLed. */
const TERM_GRACE_MS = 10_000;

/**
 * A child whose output goes straight to a file (no pipes to drain, nothing lost
 * if the test's event loop is busy) and whose exit can be awaited any number of
 * times.
 */
export class ManagedProcess {
  private exitInfo: ExitInfo | undefined;
  private readonly exited: Promise<ExitInfo>;
  private readonly forget: () => void;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.forget();
        resolve(this.exitInfo);
      });
    });
    this.forget = onProcessExit(() => {
      if (this.exitInfo === undefined) process.kill(this.pid, 'SIGKILL');
    });
    // A forgotten child must not keep the test process alive; the exit hook
    // above kills it instead. waitForExit() re-refs it while someone waits.
    child.unref();
  }

  static async spawn(spec: SpawnSpec): Promise<ManagedProcess> {
    const fd = openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, { env: spec.env, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(new Error(`cannot start ${spec.command}: ${err.message}`)),
      );
    });
    if (child.pid === undefined) throw new Error(`${spec.command} started without a pid`);
    return new ManagedProcess(child, child.pid);
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  async waitForExit(): Promise<ExitInfo> {
    this.child.ref();
    try {
      return await this.exited;
    } finally {
      this.child.unref();
    }
  }

  /** Sends the signal and waits; a SIGTERM that is ignored is followed by SIGKILL. */
  async terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<ExitInfo> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    this.child.kill(signal);
    if (signal === 'SIGKILL') return this.waitForExit();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), TERM_GRACE_MS);
    try {
      return await this.waitForExit();
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Waits until `probe` passes (it throws while `proc` is not ready), giving up at once when
 * `proc` exits first: waiting longer cannot help then.
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  name: string,
  probe: () => Promise<void>,
  opts: WaitForOptions,
): Promise<void> {
  await waitFor(async () => {
    const exit = proc.exit;
    if (exit) {
      throw new GiveUpWaiting(`${name} exited with ${describeExit(exit)} before it was ready`);
    }
    await probe();
    return true;
  }, opts);
}

function describeExit(exit: ExitInfo): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
