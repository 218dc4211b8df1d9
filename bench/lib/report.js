import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './stats.js';

const fmt = (s, digits) => {
  if (!s) return '—';
  const d = digits ?? (s.median >= 100 ? 0 : s.median >= 10 ? 1 : 2);
  return s.min === s.max ? `${s.median.toFixed(d)}` : `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
};
const ratio = (r) => (r === undefined || r === null ? '—' : `${r.toFixed(2)}×`);
const metCell = (m) => (m === true ? '**met**' : m === false ? 'missed' : '—');

/** One Markdown row per scenario; notes say what a missing number means. */
const table = (results) => {
  const rows = [
    '| id | work | unit | Signoff on SQLite median (range) | Signoff on PostgreSQL median (range) | oidc-provider median (range) | SQLite ÷ peer | PostgreSQL ÷ peer | ' +
      'ceiling median (range) | SQLite ÷ ceiling | PostgreSQL ÷ ceiling | target (SQLite) | met | target (PostgreSQL) | met |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of results.scenarios) {
    const cell = (side, note) => (side ? fmt(side) : note ? `— (${note})` : '—');
    const from = s.from ? ` [${s.from.slice(0, 10)}]` : '';
    rows.push(
      `| ${s.id}${from} | ${s.title} | ${s.unit} | ${cell(s.signoff, s.signoffNote)} | ${cell(s.postgres, s.postgresNote)} | ${cell(s.peer, s.peerNote)} | ` +
        `${ratio(s.ratioToPeer)} | ${ratio(s.postgresRatioToPeer)} | ` +
        `${s.ceiling ? `${fmt(s.ceiling)} ${s.ceilingName ?? ''}`.trim() : '—'} | ${ratio(s.ratioToCeiling)} | ${ratio(s.postgresRatioToCeiling)} | ` +
        `${s.target ?? '—'} | ${metCell(s.met)} | ${s.postgresTarget ?? '—'} | ${metCell(s.postgresMet)} |`,
    );
  }
  return rows.join('\n');
};

const markdown = (results) => {
  const m = results.machine;
  const lines = [
    `# Signoff benchmarks (${results.mode} run)`,
    '',
    `Run ${results.startedAt}, ${round(results.durationSeconds, 0)} s, by \`npm run bench\` (\`bench/run.js\`).`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}; Node ${m.node}; load averages at start ${m.loadStart.join(' / ')}` +
      ` and at end ${m.loadEnd.join(' / ')} (1/5/15 min)${m.note ? `; ${m.note}` : ''}.`,
    `Versions: signoff ${results.versions.signoff}, oidc-provider ${results.versions.oidcProvider}, autocannon ${results.versions.autocannon}` +
      `${results.versions.postgres ? `, PostgreSQL ${results.versions.postgres}` : ""}.`,
    '',
    `Each phase: ${results.mode === 'quick' ? 'no warm-up (a quick run)' : 'warm-up'}, then ${results.repetitions} repetitions in turn (Signoff on SQLite, Signoff on PostgreSQL, oidc-provider, ceiling); the median and the range ` +
      '(min–max) of the repetitions are shown. Ratios are of medians. Targets are reported, not asserted.',
    '',
    ...(results.earlierRuns?.length
      ? [
          `This file merges runs: the rows marked [date] are from an earlier run (\`--only\` replaces only the scenarios it runs): ` +
            results.earlierRuns
              .map((r) => `${r.startedAt} (${r.mode}, ${r.scenarioIds.join(', ')}; load averages at start ${r.loadStart.join(' / ')})`)
              .join('; ') +
            '.',
          '',
        ]
      : []),
    table(results),
    '',
    '## Notes',
    '',
    ...results.notes.map((n) => `- ${n}`),
    ...results.scenarios.filter((s) => s.detail).map((s) => `- ${s.id}${s.from ? ` [${s.from.slice(0, 10)}]` : ''}: ${s.detail}`),
    '',
  ];
  return lines.join('\n');
};

/**
 * A run of some scenarios (`--only`) merged into the previous results of the same mode in `dir`:
 * its rows replace those of the scenarios it ran; the rows of the others are kept, each marked
 * with the start of the run it came from (`from`), in the order of `order` (scenario ids).
 */
export const mergeWithPrevious = (dir, results, order) => {
  const file = join(dir, 'latest.json');
  if (!existsSync(file)) return results;
  const previous = JSON.parse(readFileSync(file, 'utf8'));
  if (previous.mode !== results.mode) return results;
  const ran = new Set(results.scenarios.map((s) => s.id));
  const kept = previous.scenarios.filter((s) => !ran.has(s.id)).map((s) => ({ ...s, from: s.from ?? previous.startedAt }));
  if (kept.length === 0) return results;
  const rank = (s) => order.indexOf(s.id);
  const scenarios = [...results.scenarios, ...kept].map((s, i) => [s, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([s]) => s);
  const runs = new Map((previous.earlierRuns ?? []).map((r) => [r.startedAt, r]));
  if (kept.some((s) => s.from === previous.startedAt)) {
    runs.set(previous.startedAt, { startedAt: previous.startedAt, mode: previous.mode, loadStart: previous.machine.loadStart, scenarioIds: [] });
  }
  const earlierRuns = [...runs.values()]
    .map((r) => ({ ...r, scenarioIds: [...new Set(kept.filter((s) => s.from === r.startedAt).map((s) => s.id))] }))
    .filter((r) => r.scenarioIds.length > 0);
  return { ...results, scenarios, earlierRuns };
};

export const writeResults = (dir, results) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  const md = markdown(results);
  writeFileSync(join(dir, 'latest.md'), md);
  return md;
};
