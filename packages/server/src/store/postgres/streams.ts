import type { StreamStore } from '../../signals/store.js';
import { destinationOf, outboxColumnsOf, toPolledEvent, toStream } from '../stream-rows.js';
import type { Db } from './db.js';
import { notifyOutbox } from './notifications.js';

/** StreamStore on PostgreSQL (issue 16 §2). A write that puts rows in the outbox wakes every instance's worker on commit. */
export const postgresStreams = (db: Db): StreamStore => ({
  async insertStream(s) {
    await db.run(
      'INSERT INTO ssf_streams (id, client_id, config, status, status_reason, created_at, updated_at, verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [s.id, s.clientId, JSON.stringify(s.config), s.status, s.statusReason ?? null, s.createdAt, s.updatedAt, s.verifiedAt ?? null],
    );
  },
  async streamById(id) {
    const r = await db.one('SELECT * FROM ssf_streams WHERE id = $1', [id]);
    return r && toStream(r);
  },
  async streamsOfClient(clientId) {
    return (await db.all('SELECT * FROM ssf_streams WHERE client_id = $1 ORDER BY created_at, id COLLATE "C"', [clientId])).map(toStream);
  },
  async updateStream(s) {
    return db.tx(async (q) => {
      const changed = await q.run(
        'UPDATE ssf_streams SET config = $1, status = $2, status_reason = $3, updated_at = $4, verified_at = $5 WHERE id = $6',
        [JSON.stringify(s.config), s.status, s.statusReason ?? null, s.updatedAt, s.verifiedAt ?? null, s.id],
      );
      if (changed === 0) return false;
      if (s.status === 'disabled') {
        // SSF 1.0 §8.1.2: a disabled stream's waiting events are dropped.
        await q.run('DELETE FROM ssf_poll_events WHERE stream_id = $1', [s.id]);
        await q.run("DELETE FROM logout_deliveries WHERE stream_id = $1 AND kind = 'ssf_push' AND status = 'pending'", [s.id]);
      } else if (destinationOf(s) === 'outbox') {
        // A push stream enabled again: the events it held while paused go out now, same jti and iat.
        const moved = await q.run(
          `INSERT INTO logout_deliveries (id, kind, stream_id, payload, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at)
           SELECT jti, 'ssf_push', stream_id, payload, $1, COALESCE(payload::jsonb ->> 'sessionId', ''), COALESCE(payload::jsonb ->> 'accountId', ''),
             '', CASE WHEN payload::jsonb ->> 'type' = 'session-revoked' THEN payload::jsonb ->> 'reason' ELSE '' END, created_at, 'pending', $2
           FROM ssf_poll_events WHERE stream_id = $3 ORDER BY seq`,
          [s.clientId, s.updatedAt, s.id],
        );
        await q.run('DELETE FROM ssf_poll_events WHERE stream_id = $1', [s.id]);
        if (moved > 0) await notifyOutbox(q);
      }
      return true;
    });
  },
  async deleteStream(id) {
    return db.tx(async (q) => {
      await q.run('DELETE FROM ssf_subjects WHERE stream_id = $1', [id]);
      await q.run('DELETE FROM ssf_poll_events WHERE stream_id = $1', [id]);
      await q.run("DELETE FROM logout_deliveries WHERE stream_id = $1 AND kind = 'ssf_push' AND status = 'pending'", [id]);
      return (await q.run('DELETE FROM ssf_streams WHERE id = $1', [id])) === 1;
    });
  },
  async addSubject(subject) {
    await db.run(
      `INSERT INTO ssf_subjects (stream_id, subject_key, subject, account_id, added_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (stream_id, subject_key) DO UPDATE SET subject = excluded.subject, account_id = excluded.account_id`,
      [subject.streamId, subject.key, JSON.stringify(subject.subject), subject.accountId ?? null, subject.addedAt],
    );
  },
  async removeSubject(streamId, key) {
    return (await db.run('DELETE FROM ssf_subjects WHERE stream_id = $1 AND subject_key = $2', [streamId, key])) === 1;
  },
  async queueSignal(streamId, jti, event, at) {
    await db.tx(async (q) => {
      // FOR SHARE: a status change commits before or after this row, never between the read and the insert.
      const r = await q.one('SELECT * FROM ssf_streams WHERE id = $1 FOR SHARE', [streamId]);
      if (!r) return;
      const s = toStream(r);
      const to = destinationOf(s);
      if (to === 'outbox') {
        const c = outboxColumnsOf(event);
        await q.run(
          `INSERT INTO logout_deliveries (id, kind, stream_id, payload, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at)
           VALUES ($1, 'ssf_push', $2, $3, $4, $5, $6, '', $7, $8, 'pending', $8)`,
          [jti, s.id, JSON.stringify(event), s.clientId, c.sessionId, c.accountId, c.reason, at],
        );
        await notifyOutbox(q);
      } else if (to === 'poll') {
        await q.run('INSERT INTO ssf_poll_events (stream_id, jti, payload, created_at) VALUES ($1, $2, $3, $4)', [streamId, jti, JSON.stringify(event), at]);
      }
    });
  },
  async pollEvents(streamId, max) {
    const rows = await db.all('SELECT * FROM ssf_poll_events WHERE stream_id = $1 ORDER BY seq LIMIT $2', [streamId, max + 1]);
    return { events: rows.slice(0, max).map(toPolledEvent), more: rows.length > max };
  },
  async acknowledgeEvents(streamId, jtis) {
    if (jtis.length === 0) return [];
    const gone = await db.all('DELETE FROM ssf_poll_events WHERE stream_id = $1 AND jti = ANY($2::text[]) RETURNING jti', [streamId, [...jtis]]);
    const known = new Set(gone.map((r) => r.jti as string));
    return jtis.filter((j) => !known.has(j));
  },
});
