// Charts as inline SVG, drawn here (no library, nothing fetched: the console works offline and under its strict
// CSP). Colours come from console.css through classes; every label and tooltip is set as text, never markup.
// Input: the buckets of GET /stats/deliveries (one per minute, oldest first).
const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 200;
const PAD = { left: 44, right: 12, top: 12, bottom: 26 };
export const OUTCOMES = ['succeeded', 'failed', 'retrying', 'pending'];
export const PERCENTILES = ['p50', 'p95', 'p99'];

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// "14:05" in the browser's zone.
function hhmm(iso) {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

// A round maximum for the y axis (1, 2, 5, 10, 20, 50, ...), at least 1.
function niceMax(v) {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// The frame both charts share: the svg, horizontal grid lines with their values, first/last minute labels.
function frame(id, title, buckets, max, unit) {
  const svg = s('svg', { id, class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  svg.append(s('title', {}, title));
  const plotH = H - PAD.top - PAD.bottom;
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + plotH * (1 - f);
    svg.append(s('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }));
    svg.append(s('text', { class: 'axis', x: PAD.left - 6, y: y + 4, 'text-anchor': 'end' }, `${Math.round(max * f)}${unit}`));
  }
  if (buckets.length) {
    svg.append(s('text', { class: 'axis', x: PAD.left, y: H - 8 }, hhmm(buckets[0].minute)));
    svg.append(s('text', { class: 'axis', x: W - PAD.right, y: H - 8, 'text-anchor': 'end' }, hhmm(buckets[buckets.length - 1].minute)));
  }
  return svg;
}

function legend(names) {
  const el = document.createElement('div');
  el.className = 'legend';
  for (const n of names) {
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.className = `swatch c-${n}`;
    item.append(swatch, n);
    el.append(item);
  }
  return el;
}

// Deliveries per minute, stacked by their outcome (paused ones count as pending).
export function outcomeChart(buckets, id = 'chart-outcomes') {
  const count = (b, o) => (b[o] ?? 0) + (o === 'pending' ? b.paused ?? 0 : 0);
  const totals = buckets.map((b) => OUTCOMES.reduce((n, o) => n + count(b, o), 0));
  const max = niceMax(Math.max(0, ...totals));
  const svg = frame(id, 'Deliveries per minute by outcome', buckets, max, '');
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, buckets.length);
  buckets.forEach((b, i) => {
    let y = PAD.top + plotH;
    for (const o of OUTCOMES) {
      const n = count(b, o);
      if (!n) continue;
      const h = (n / max) * plotH;
      y -= h;
      svg.append(s('rect', { class: `bar c-${o}`, 'data-outcome': o, x: PAD.left + i * step + 1, y, width: Math.max(1, step - 2), height: h },
        s('title', {}, `${hhmm(b.minute)}: ${n} ${o}`)));
    }
  });
  const figure = document.createElement('figure');
  figure.className = 'chart-box';
  const caption = document.createElement('figcaption');
  caption.textContent = `Deliveries per minute (${totals.reduce((a, b) => a + b, 0)} in ${buckets.length} min)`;
  figure.append(caption, svg, legend(OUTCOMES));
  return figure;
}

// Attempt latency per minute: one line per percentile; a minute without attempts breaks the line.
export function latencyChart(buckets, id = 'chart-latency') {
  const values = buckets.flatMap((b) => (b.latency_ms ? PERCENTILES.map((p) => b.latency_ms[p]) : []));
  const max = niceMax(Math.max(0, ...values));
  const svg = frame(id, 'Attempt latency percentiles per minute', buckets, max, ' ms');
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, buckets.length);
  const x = (i) => PAD.left + i * step + step / 2;
  const y = (v) => PAD.top + plotH * (1 - v / max);
  for (const p of PERCENTILES) {
    let run = [];
    const flush = () => {
      if (run.length > 1) svg.append(s('polyline', { class: `line c-${p}`, 'data-percentile': p, points: run.join(' ') }));
      run = [];
    };
    buckets.forEach((b, i) => {
      if (!b.latency_ms) return flush();
      run.push(`${x(i).toFixed(1)},${y(b.latency_ms[p]).toFixed(1)}`);
      svg.append(s('circle', { class: `dot c-${p}`, 'data-percentile': p, cx: x(i), cy: y(b.latency_ms[p]), r: 2.5 },
        s('title', {}, `${hhmm(b.minute)} ${p}: ${b.latency_ms[p]} ms (${b.attempts} attempts)`)));
    });
    flush();
  }
  const figure = document.createElement('figure');
  figure.className = 'chart-box';
  const caption = document.createElement('figcaption');
  caption.textContent = 'Attempt latency (ms) per minute';
  figure.append(caption, svg, legend(PERCENTILES));
  return figure;
}
