import type { Sql } from './sql.js';

/**
 * A number that moves with this connection's own writes to some tables (`bump` after each) and
 * with every commit of another connection to the file (`PRAGMA data_version`, which SQLite
 * changes exactly then): what a process-local copy of those tables is checked against
 * (signing keys, clients). Another process writing other rows only makes the copy reread; a
 * `signoff` CLI command changing these is seen at the next check, at the cost of a statement
 * that reads no table.
 */
export const changeVersion = (sql: Sql): { bump: () => void; current: () => number } => {
  let version = 0;
  let dataVersion: unknown;
  return {
    bump: () => {
      version++;
    },
    current: () => {
      const now = sql.one('PRAGMA data_version')?.data_version;
      if (now !== dataVersion) {
        dataVersion = now;
        version++;
      }
      return version;
    },
  };
};
