/**
 * The `signoff` command as an operator runs it (`node bin/signoff.js …`), for the tests that need
 * real processes: a provider killed with SIGKILL, several providers on one store, the CLI ending
 * sessions while a provider runs. Every child is killed when the test file ends.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/signoff.js', import.meta.url));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

const env = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNOFF_')));

/** Runs `signoff ...args` to completion (bounded). */
export const signoff = (args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: env(), timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });

export interface RunningSignoff {
  child: ChildProcess;
  exited: Promise<void>;
  stderr(): string;
}

/** Runs `signoff start --config FILE --port N` and resolves once it listens. */
export const startSignoff = (config: string, port: number, cwd: string): Promise<RunningSignoff> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--config', config, '--port', String(port)], { cwd, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    let stderr = '';
    const exited = new Promise<void>((res) => child.on('exit', () => (children.delete(child), res())));
    const timer = setTimeout(() => reject(new Error(`signoff start did not listen in time:\n${stderr}`)), 20_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve({ child, exited, stderr: () => stderr });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`signoff start exited before listening:\n${stderr}`));
    });
  });
