import { summary } from '../lib/stats.js';

/**
 * Runs each side's phase once per repetition, in turn (Signoff, peer, ceiling, then again), so
 * that drift in the machine's load falls on every side alike. A side's phase returns a number,
 * or an object whose `value` is the number (the rest is kept as detail).
 */
export const inTurn = async (reps, sides, log) => {
  const out = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let rep = 1; rep <= reps; rep++) {
    for (const [side, phase] of Object.entries(sides)) {
      if (!phase) continue;
      const result = await phase(rep);
      out[side].push(typeof result === 'number' ? result : result.value);
      log(`  rep ${rep} ${side}: ${JSON.stringify(result)}`);
    }
  }
  return out;
};

/**
 * One row of the table: medians and ranges, ratios of medians (Signoff over the other side, so
 * > 1 means Signoff is higher), and whether the target is met (`met` gets the summaries). The
 * `postgres` column is Signoff on the PostgreSQL store, with a target of its own
 * (`postgresTarget`, judged by `postgresMet` with the PostgreSQL figure as `signoff`); without one
 * it is reported only.
 */
export const row = ({
  id, title, unit, signoff, postgres, peer, ceiling, ceilingName, target, met, signoffNote, postgresNote, peerNote, postgresTarget, postgresMet, detail,
}) => {
  const s = signoff?.length ? summary(signoff) : undefined;
  const pg = postgres?.length ? summary(postgres) : undefined;
  const p = peer?.length ? summary(peer) : undefined;
  const c = ceiling?.length ? summary(ceiling) : undefined;
  return {
    id,
    title,
    unit,
    signoff: s,
    postgres: pg,
    peer: p,
    ceiling: c,
    ceilingName,
    ratioToPeer: s && p ? s.median / p.median : undefined,
    postgresRatioToPeer: pg && p ? pg.median / p.median : undefined,
    ratioToCeiling: s && c ? s.median / c.median : undefined,
    postgresRatioToCeiling: pg && c ? pg.median / c.median : undefined,
    target,
    met: s && met ? met({ signoff: s, peer: p, ceiling: c }) : undefined,
    postgresTarget,
    postgresMet: pg && postgresMet ? postgresMet({ signoff: pg, peer: p, ceiling: c }) : undefined,
    signoffNote,
    postgresNote: pg ? undefined : postgresNote,
    peerNote,
    detail,
  };
};

/** Signoff on SQLite, Signoff on PostgreSQL (when it runs) and the peer, for scenarios that run the same phase against each. */
export const bothSides = (ctx, phase) => ({
  signoff: (rep) => phase(ctx.signoff, rep),
  ...(ctx.postgres ? { postgres: (rep) => phase(ctx.postgres, rep) } : {}),
  peer: (rep) => phase(ctx.peer, rep),
});

/** The note of a PostgreSQL cell of a scenario measured on SQLite only. */
export const NOT_ON_POSTGRES = 'not measured on PostgreSQL (issue 11 §4 measures P1, P2, P4 and P7 there)';
