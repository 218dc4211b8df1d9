import type { Interaction, InteractionStore } from '../../oauth/authorize/interaction-store.js';
import type { Db, Row } from './db.js';
import { opt } from './rows.js';

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

/** InteractionStore on PostgreSQL: the authorization request is kept as JSON until the interaction is consumed. */
export const postgresInteractions = (db: Db): InteractionStore => ({
  async insertInteraction(i) {
    await db.run(
      'INSERT INTO interactions (id, binding_hash, csrf_token, request, created_at, expires_at, session_id, step, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [i.id, i.bindingHash, i.csrfToken, JSON.stringify(i.request), i.createdAt, i.expiresAt, i.sessionId ?? null, i.step, i.state === undefined ? null : JSON.stringify(i.state)],
    );
  },
  async interactionById(id) {
    const r = await db.one('SELECT * FROM interactions WHERE id = $1', [id]);
    return r && toInteraction(r);
  },
  async updateInteraction(id, patch) {
    // A field the patch names is set (sessionId and state to NULL when it names them as undefined); the rest keep their values.
    const has = (f: keyof typeof patch) => Object.hasOwn(patch, f);
    await db.run(
      `UPDATE interactions SET session_id = CASE WHEN $2 THEN $3 ELSE session_id END, step = COALESCE($4, step),
         request = COALESCE($5, request), state = CASE WHEN $6 THEN $7 ELSE state END WHERE id = $1`,
      [id, has('sessionId'), patch.sessionId ?? null, patch.step ?? null, patch.request === undefined ? null : JSON.stringify(patch.request),
        has('state'), patch.state === undefined ? null : JSON.stringify(patch.state)],
    );
  },
  async deleteInteraction(id) {
    return (await db.run('DELETE FROM interactions WHERE id = $1', [id])) > 0;
  },
  async deleteExpiredInteractions(now) {
    return db.run('DELETE FROM interactions WHERE expires_at <= $1', [now]);
  },
});
