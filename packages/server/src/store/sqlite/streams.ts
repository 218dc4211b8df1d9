import type { SignalEvent } from '../../signals/events.js';
import type { Stream, StreamStore } from '../../signals/store.js';
import { destinationOf, outboxColumnsOf, toPolledEvent, toStream } from '../stream-rows.js';
import type { Sql } from './sql.js';

/** ssf_poll_events.seq has no default in SQLite: the next one is taken inside the inserting statement. */
const NEXT_SEQ = '(SELECT COALESCE(MAX(seq), 0) + 1 FROM ssf_poll_events)';

const insertPushRow = (sql: Sql, s: Stream, jti: string, event: SignalEvent, at: number): void => {
  const c = outboxColumnsOf(event);
  sql.run(
    `INSERT INTO logout_deliveries (id, kind, stream_id, payload, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at)
     VALUES (?, 'ssf_push', ?, ?, ?, ?, ?, '', ?, ?, 'pending', ?)`,
    jti, s.id, JSON.stringify(event), s.clientId, c.sessionId, c.accountId, c.reason, at, at,
  );
};

/** StreamStore on SQLite (issue 16 §2). */
export const sqliteStreams = (sql: Sql): StreamStore => ({
  async insertStream(s) {
    sql.run(
      'INSERT INTO ssf_streams (id, client_id, config, status, status_reason, created_at, updated_at, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      s.id, s.clientId, JSON.stringify(s.config), s.status, s.statusReason ?? null, s.createdAt, s.updatedAt, s.verifiedAt ?? null,
    );
  },
  async streamById(id) {
    const r = sql.one('SELECT * FROM ssf_streams WHERE id = ?', id);
    return r && toStream(r);
  },
  async streamsOfClient(clientId) {
    return sql.all('SELECT * FROM ssf_streams WHERE client_id = ? ORDER BY created_at, id', clientId).map(toStream);
  },
  async updateStream(s) {
    return sql.db
      .transaction((): boolean => {
        const changed = sql.run(
          'UPDATE ssf_streams SET config = ?, status = ?, status_reason = ?, updated_at = ?, verified_at = ? WHERE id = ?',
          JSON.stringify(s.config), s.status, s.statusReason ?? null, s.updatedAt, s.verifiedAt ?? null, s.id,
        );
        if (changed === 0) return false;
        if (s.status === 'disabled') {
          // SSF 1.0 §8.1.2: a disabled stream's waiting events are dropped.
          sql.run('DELETE FROM ssf_poll_events WHERE stream_id = ?', s.id);
          sql.run("DELETE FROM logout_deliveries WHERE stream_id = ? AND kind = 'ssf_push' AND status = 'pending'", s.id);
        } else if (destinationOf(s) === 'outbox') {
          // A push stream enabled again: the events it held while paused go out now, oldest first, same jti and iat.
          sql.run(
            `INSERT INTO logout_deliveries (id, kind, stream_id, payload, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at)
             SELECT jti, 'ssf_push', stream_id, payload, ?, COALESCE(json_extract(payload, '$.sessionId'), ''), COALESCE(json_extract(payload, '$.accountId'), ''),
               '', CASE WHEN json_extract(payload, '$.type') = 'session-revoked' THEN json_extract(payload, '$.reason') ELSE '' END, created_at, 'pending', ?
             FROM ssf_poll_events WHERE stream_id = ? ORDER BY seq`,
            s.clientId, s.updatedAt, s.id,
          );
          sql.run('DELETE FROM ssf_poll_events WHERE stream_id = ?', s.id);
        }
        return true;
      })
      .immediate();
  },
  async deleteStream(id) {
    return sql.db
      .transaction((): boolean => {
        sql.run('DELETE FROM ssf_subjects WHERE stream_id = ?', id);
        sql.run('DELETE FROM ssf_poll_events WHERE stream_id = ?', id);
        sql.run("DELETE FROM logout_deliveries WHERE stream_id = ? AND kind = 'ssf_push' AND status = 'pending'", id);
        return sql.run('DELETE FROM ssf_streams WHERE id = ?', id) === 1;
      })
      .immediate();
  },
  async addSubject(subject) {
    sql.run(
      `INSERT INTO ssf_subjects (stream_id, subject_key, subject, account_id, added_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (stream_id, subject_key) DO UPDATE SET subject = excluded.subject, account_id = excluded.account_id`,
      subject.streamId, subject.key, JSON.stringify(subject.subject), subject.accountId ?? null, subject.addedAt,
    );
  },
  async removeSubject(streamId, key) {
    return sql.run('DELETE FROM ssf_subjects WHERE stream_id = ? AND subject_key = ?', streamId, key) === 1;
  },
  async queueSignal(streamId, jti, event, at) {
    sql.db
      .transaction(() => {
        const r = sql.one('SELECT * FROM ssf_streams WHERE id = ?', streamId);
        if (!r) return;
        const s = toStream(r);
        const to = destinationOf(s);
        if (to === 'outbox') insertPushRow(sql, s, jti, event, at);
        else if (to === 'poll') {
          sql.run(`INSERT INTO ssf_poll_events (stream_id, jti, payload, created_at, seq) VALUES (?, ?, ?, ?, ${NEXT_SEQ})`, streamId, jti, JSON.stringify(event), at);
        }
      })
      .immediate();
  },
  async pollEvents(streamId, max) {
    const rows = sql.all('SELECT * FROM ssf_poll_events WHERE stream_id = ? ORDER BY seq LIMIT ?', streamId, max + 1);
    return { events: rows.slice(0, max).map(toPolledEvent), more: rows.length > max };
  },
  async acknowledgeEvents(streamId, jtis) {
    return sql.db
      .transaction((): string[] => jtis.filter((jti) => sql.run('DELETE FROM ssf_poll_events WHERE stream_id = ? AND jti = ?', streamId, jti) === 0))
      .immediate();
  },
});
