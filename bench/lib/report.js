import { mkdirSync, writeFileSync } from 'node:fs';
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
    '| id | work | unit | Signoff median (range) | oidc-provider median (range) | Signoff ÷ peer | ceiling median (range) | Signoff ÷ ceiling | target | met |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of results.scenarios) {
    const cell = (side, note) => (side ? fmt(side) : note ? `— (${note})` : '—');
    rows.push(
      `| ${s.id} | ${s.title} | ${s.unit} | ${cell(s.signoff, s.signoffNote)} | ${cell(s.peer, s.peerNote)} | ${ratio(s.ratioToPeer)} | ` +
        `${s.ceiling ? `${fmt(s.ceiling)} ${s.ceilingName ?? ''}`.trim() : '—'} | ${ratio(s.ratioToCeiling)} | ${s.target} | ${metCell(s.met)} |`,
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
    `Versions: signoff ${results.versions.signoff}, oidc-provider ${results.versions.oidcProvider}, autocannon ${results.versions.autocannon}.`,
    '',
    `Each phase: warm-up, then ${results.repetitions} repetitions in turn (Signoff, oidc-provider, ceiling); the median and the range ` +
      '(min–max) of the repetitions are shown. Ratios are of medians. Targets are reported, not asserted.',
    '',
    table(results),
    '',
    '## Notes',
    '',
    ...results.notes.map((n) => `- ${n}`),
    ...results.scenarios.filter((s) => s.detail).map((s) => `- ${s.id}: ${s.detail}`),
    '',
  ];
  return lines.join('\n');
};

export const writeResults = (dir, results) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  const md = markdown(results);
  writeFileSync(join(dir, 'latest.md'), md);
  return md;
};
