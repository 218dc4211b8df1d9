/** A tiny HTML page for the demo apps: escaped text, a log of what happened, a refresh to show it. */
const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]);

export const page = (title, body, { refresh } = {}) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
${refresh ? `<meta http-equiv="refresh" content="${refresh}">` : ''}
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;color:#1d2330}
.box{background:#f4f5f7;padding:1rem;border-radius:6px}code{word-break:break-all}li{margin:.3rem 0}
a.button,button{display:inline-block;padding:.5rem 1rem;background:#2456d3;color:#fff;border:0;border-radius:4px;text-decoration:none;cursor:pointer}</style>
</head><body>${body}</body></html>`;

/** A log of events, newest first, printed to the console too. */
export const eventLog = (name) => {
  const events = [];
  return {
    events,
    note(message) {
      events.unshift(`${new Date().toLocaleTimeString()} — ${message}`);
      console.log(`[${name}] ${message}`);
    },
    html: () => `<h2>What happened</h2><ul>${events.map((e) => `<li>${esc(e)}</li>`).join('') || '<li>nothing yet</li>'}</ul>`,
  };
};
