import { Worker } from 'node:worker_threads';
import type { Sql } from './sql.js';

/** How often the checkpointer copies the WAL into the database file. */
export const CHECKPOINT_INTERVAL_MS = 250;
/**
 * The serving connection's own automatic checkpoint while a checkpointer runs: SQLite's default
 * is 1,000 pages (4 MB); this is the bound should the checkpointer fall behind or stop (40 MB).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/** What a checkpointer thread reports (checkpoint-worker.ts). */
export type CheckpointReport =
  | { kind: 'checkpointed'; busy: number; log: number; checkpointed: number }
  | { kind: 'failed'; message: string };

/**
 * WAL checkpoints on a thread of their own while the provider serves (issue 18). In WAL mode
 * every commit appends to the -wal file, and by default the connection that commits the
 * 1,000th page copies the WAL back into the database and fsyncs it, inside that commit: on the
 * request's thread, which waits for the disk. On the bench machine that was about half of an
 * authorization code insert's time (110 µs with it, 42–60 µs without), every SSO authorization
 * making one. Here a second connection in a worker thread checkpoints every
 * CHECKPOINT_INTERVAL_MS (PASSIVE: it blocks no reader or writer), and the serving connection
 * checkpoints itself only past FALLBACK_AUTOCHECKPOINT_PAGES. Durability is SQLite's own either
 * way: a commit is in the WAL before it returns; a checkpoint fsyncs the WAL before it copies
 * and the database after. Only a server process starts one (`signoff start`): a CLI command's
 * few writes keep SQLite's default. Resolves the stop once the thread has closed its connection.
 */
export const startCheckpointer = (
  sql: Sql,
  path: string,
  onReport: (report: CheckpointReport) => void = () => undefined,
  intervalMs = CHECKPOINT_INTERVAL_MS,
): (() => Promise<void>) => {
  sql.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { path, intervalMs } });
  worker.unref();
  worker.on('message', (report: CheckpointReport) => onReport(report));
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    // A thread that cannot start (the file is gone) leaves SQLite's own checkpoints in place.
    worker.once('error', (err) => {
      onReport({ kind: 'failed', message: err.message });
      if (sql.db.open) sql.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
    });
  });
  return async () => {
    worker.postMessage('stop');
    const timeout = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timeout);
    if (sql.db.open) sql.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
};
