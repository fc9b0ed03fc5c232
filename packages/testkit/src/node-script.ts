import { spawn } from 'node:child_process';

export interface NodeScriptRun {
  /** The exit code; null when a signal ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface NodeScriptOptions {
  /** The script's whole environment; default: this process's. */
  env?: Record<string, string>;
}

/** Runs `script` with this process's `node` and resolves, once it exits, with all its output. */
export function runNodeScript(
  script: string,
  args: string[],
  opts: NodeScriptOptions = {},
): Promise<NodeScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
