/**
 * The `signoff` command as an operator runs it (`node bin/signoff.js …`), for the tests that need
 * real processes: a provider killed with SIGKILL, several providers on one store, the CLI ending
 * sessions while a provider runs. Every child is killed when the test file ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEST_KEK_ENV } from './provider.js';

export const BIN = fileURLToPath(new URL('../../../bin/signoff.js', import.meta.url));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

/**
 * The environment without SIGNOFF_* overrides, so a command reads only its --config file — but
 * with the tests' key-encryption key (issue 10 §5), the one test/helpers/provider.ts uses too, and
 * a management listener on any free port, so that providers started side by side (and a
 * developer's own on 9464) do not compete for one port.
 */
/** A Node stack frame (`at fn (file.js:1:2)`): what a command must never print to its user. */
export const STACK = /\bat\s+\S+\.js:\d+/;

export const cleanEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNOFF_'))),
  ...TEST_KEK_ENV,
  SIGNOFF_MANAGEMENT_PORT: '0',
});

/** The management listener's base URL, from the line `signoff start` writes to its standard error. */
export const managementUrl = (stderr: string): string => {
  const match = /management listener \(\/metrics, \/readyz\) on (http:\/\/\S+)/.exec(stderr);
  if (!match?.[1]) throw new Error(`signoff start named no management listener:\n${stderr}`);
  return match[1];
};

export interface SignoffResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `signoff ...args` to completion, with `input` on its standard input; bounded in time. */
export const runSignoff = (args: string[], opts: { cwd: string; input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<SignoffResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`signoff ${args.join(' ')} did not finish in time\n${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });

/** Runs `signoff ...args` in `cwd` to completion. */
export const signoff = (args: string[], cwd: string): Promise<SignoffResult> => runSignoff(args, { cwd });

export interface RunningSignoff {
  child: ChildProcess;
  /** Base URL of its public listener, as it printed it (so `--port 0` works). */
  base: string;
  /** Base URL of its management listener (/metrics, /readyz). */
  management: string;
  exited: Promise<void>;
  stderr(): string;
  /** The log lines (JSON, one per line) written so far. */
  stdout(): string;
}

/** Runs `signoff start --config FILE --port N` (in `env`, default cleanEnv()) and resolves once it listens. */
export const startSignoff = (config: string, port: number, cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<RunningSignoff> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--config', config, '--port', String(port)], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stderr = '';
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<void>((res) => child.on('exit', () => (children.delete(child), res())));
    const timer = setTimeout(() => reject(new Error(`signoff start did not listen in time:\n${stderr}`)), 20_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      // The whole line, not a chunk of it: it names the address the listener took.
      const listening = /listening on (http:\/\/\S+), issuer /.exec(stderr);
      if (listening?.[1]) {
        clearTimeout(timer);
        resolve({ child, exited, base: listening[1], management: managementUrl(stderr), stderr: () => stderr, stdout: () => stdout });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`signoff start exited before listening:\n${stderr}`));
    });
  });
