import type { Interaction, InteractionStore } from '../../oauth/authorize/interaction-store.js';
import { type Row, type Sql, opt } from './sql.js';

const toInteraction = (r: Row): Interaction => ({
  id: r.id as string,
  bindingHash: r.binding_hash as string,
  csrfToken: r.csrf_token as string,
  request: JSON.parse(r.request as string) as Record<string, unknown>,
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
  sessionId: opt<string>(r.session_id),
  step: r.step as Interaction['step'],
  state: r.state === null || r.state === undefined ? undefined : (JSON.parse(r.state as string) as Record<string, unknown>),
});

/** InteractionStore on SQLite: the authorization request is kept as JSON until the interaction is consumed. */
export const sqliteInteractions = (sql: Sql): InteractionStore => ({
  async insertInteraction(i) {
    sql.run(
      'INSERT INTO interactions (id, binding_hash, csrf_token, request, created_at, expires_at, session_id, step, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      i.id, i.bindingHash, i.csrfToken, JSON.stringify(i.request), i.createdAt, i.expiresAt, i.sessionId ?? null, i.step, i.state === undefined ? null : JSON.stringify(i.state),
    );
  },
  async interactionById(id) {
    const r = sql.one('SELECT * FROM interactions WHERE id = ?', id);
    return r && toInteraction(r);
  },
  async updateInteraction(id, patch) {
    const current = sql.one('SELECT * FROM interactions WHERE id = ?', id);
    if (!current) return;
    const next = { ...toInteraction(current), ...patch };
    sql.run(
      'UPDATE interactions SET session_id = ?, step = ?, request = ?, state = ? WHERE id = ?',
      next.sessionId ?? null, next.step, JSON.stringify(next.request), next.state === undefined ? null : JSON.stringify(next.state), id,
    );
  },
  async deleteInteraction(id) {
    return sql.run('DELETE FROM interactions WHERE id = ?', id) > 0;
  },
  async deleteExpiredInteractions(now) {
    return sql.run('DELETE FROM interactions WHERE expires_at <= ?', now);
  },
});
