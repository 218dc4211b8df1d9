/**
 * The body of the checkpointer's thread (checkpointer.ts): its own connection to the file,
 * checkpointing the WAL every `intervalMs` (PASSIVE: it waits for no reader or writer and
 * blocks none). It stops, closing its connection, when told to.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// This connection only checkpoints: it never writes, so it must not checkpoint on its own account either.
db.pragma('wal_autocheckpoint = 0');

const checkpoint = (): void => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    parentPort?.postMessage({ kind: 'checkpointed', ...row });
  } catch (err) {
    // SQLITE_BUSY (another checkpoint, a restore): the next turn tries again; the serving
    // connection's own fallback (checkpointer.ts) bounds the WAL meanwhile.
    parentPort?.postMessage({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
};

const timer = setInterval(checkpoint, intervalMs);
parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort?.close();
});
