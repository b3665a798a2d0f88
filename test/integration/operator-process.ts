// The operator as its image runs it: the esbuild bundle in a process of its own, for tests that
// kill it (leader election, the fault suite). Its JSON log lines are kept for assertions.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../cluster/kube.js';

/**
 * The project's own bundle script, into a fresh directory: always the current source, and no race
 * with a concurrent `npm run build` writing dist/. The caller removes the directory.
 */
export function buildBundle(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchbench-bundle-'));
  const bundle = spawnSync('npm', ['run', 'bundle', '--', `--outdir=${dir}`], { encoding: 'utf8' });
  if (bundle.status !== 0)
    throw new Error(`npm run bundle failed (exit ${bundle.status}):\n${bundle.stdout}\n${bundle.stderr}`);
  return dir;
}

export interface LogLine {
  message: string;
  [key: string]: unknown;
}

/** One operator process; its JSON log lines (on stderr) kept for assertions. */
export class OperatorProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<number | NodeJS.Signals>;
  private readonly child: ChildProcess;

  constructor(
    bundleDir: string,
    readonly identity: string,
    args: string[],
  ) {
    this.child = spawn(process.execPath, [path.join(bundleDir, 'operator.mjs'), ...args], {
      env: { ...process.env, POD_NAME: identity },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const complete = text.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete.filter(Boolean)) {
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ message: line });
        }
      }
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve(code ?? (signal as NodeJS.Signals))),
    );
  }

  logged(message: string, fields: Record<string, unknown> = {}): boolean {
    return this.lines.some((l) => l.message === message && Object.entries(fields).every(([k, v]) => l[k] === v));
  }

  /** Waits for a log line; a process that exits first fails the wait with its last lines. */
  async waitForLog(message: string, fields: Record<string, unknown> = {}): Promise<void> {
    const exited = this.exited.then((how) => {
      throw new Error(`${this.identity} exited (${how}) before logging "${message}":\n${this.tail()}`);
    });
    await Promise.race([waitFor(async () => (this.logged(message, fields) ? true : undefined), 100), exited]);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(lines = 20): string {
    return this.lines
      .slice(-lines)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }
}
