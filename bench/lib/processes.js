import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** A port on 127.0.0.1 that was free a moment ago. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
export const cpuSeconds = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) (utime, stime) are at 11 and 12 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
};

/** Resident set size and its peak, in MB, from /proc. */
export const memoryMb = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};

/**
 * Starts a server process and resolves once a line of its stderr matches `ready` (or, for forked
 * processes, once it sends `{ ready: true }`). Every child is killed when this process exits.
 */
export const startProcess = (command, args, { ready, env, ipc = false, timeoutMs = 30_000, name = command } = {}) =>
  new Promise((resolve, reject) => {
    const child = ipc
      ? fork(command, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, ...env } })
      : spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    children.add(child);
    let stderr = '';
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    const fail = (err) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const done = (message) => {
      clearTimeout(timer);
      resolve({ child, pid: child.pid, message, stop: () => stopProcess(child) });
    };
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
      if (ready && ready.test(stderr)) done(stderr);
    });
    if (ipc) child.once('message', (m) => (m && m.ready ? done(m) : fail(new Error(`${name}: unexpected first message`))));
    child.once('exit', (code) => {
      children.delete(child);
      fail(new Error(`${name} exited (${code}) before it was ready:\n${stderr}`));
    });
  });

const children = new Set();

export const stopProcess = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
