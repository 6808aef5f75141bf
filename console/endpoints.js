// Endpoints: the environment's webhook endpoints with their health (GET /webhook/{id}/stats: state, success
// rate, latency over their recent deliveries), and what an operator does to one: enable or disable it
// (PATCH /webhook/{id}), rotate its secret (POST /webhook/{id}/rotate-secret; the new secret is shown once, here,
// and kept nowhere), send a test event (POST /webhook/test) and replay its failed deliveries (a replay job,
// replay.js). #/endpoints/<id> shows one endpoint's health with its charts (GET /stats/deliveries).
import { api, listAll } from './api.js';
import { latencyChart, outcomeChart } from './charts.js';
import { showEndpoint } from './deliveries.js';
import { badge, confirmDialog, flash, fmtTime, h, poll, table } from './dom.js';
import { replayWithJob } from './replay.js';

const HEALTH_WINDOW = 100;  // recent deliveries the list's health columns are computed over
const DETAIL_POLL_MS = 5000;
let chartMinutes = 60;

async function toggle(w, rerender) {
  const enable = !w.is_active;
  if (!enable) {
    const ok = await confirmDialog('Disable this endpoint?',
      h('p', {}, `${w.target_url} will receive nothing until it is enabled again; its due deliveries are dead-lettered.`),
      'Disable');
    if (!ok) return;
  }
  await api('PATCH', `/webhook/${encodeURIComponent(w.id)}`, { is_active: enable });
  flash(`${w.target_url} ${enable ? 'enabled' : 'disabled'}.`);
  await rerender();
}

async function rotate(w) {
  const ok = await confirmDialog('Rotate the signing secret?',
    h('p', {}, 'A new secret signs every delivery from now on; the previous one keeps signing too (a second signature) for the overlap window, so receivers can switch without losing deliveries.'),
    'Rotate');
  if (!ok) return;
  const updated = await api('POST', `/webhook/${encodeURIComponent(w.id)}/rotate-secret`);
  // Shown once: the dialog is the only place the page ever puts a secret, and closing it drops it.
  await confirmDialog('New signing secret',
    h('div', {}, h('p', {}, 'Copy it now: it is not shown again.'), h('code', { class: 'secret', id: 'new-secret' }, updated.secret)),
    'Done');
  document.getElementById('confirm-body').replaceChildren();
}

async function sendTest(w) {
  const r = await api('POST', '/webhook/test', { id: w.id });
  flash(`Test event ${r.id} queued for ${w.target_url}: it appears under Deliveries.`);
}

async function replayFailed(w) {
  await replayWithJob({ scope: 'webhook', webhook_id: w.id, filters: { status: 'failed' } }, `failed deliveries of ${w.target_url}`);
}

const percent = (rate) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}%`);
const latency = (l) => (l ? `${l.p50} / ${l.p95} ms` : '—');

// The state hookd sees: disabled, failing (active, but its last attempts failed) or active.
function stateCell(w, stats) {
  const state = stats?.state ?? (w.is_active ? 'active' : 'disabled');
  return h('td', { class: 'state' }, badge(state),
    w.disabled_reason ? h('div', { class: 'muted' }, w.disabled_reason) : '',
    stats?.consecutive_failures ? h('div', { class: 'muted' }, `${stats.consecutive_failures} failed attempts in a row`) : '');
}

function endpointRow(w, stats, rerender) {
  const run = (fn) => () => fn(w, rerender).catch((e) => flash(e.message, true));
  return h('tr', { dataset: { id: w.id, state: stats?.state ?? '' } },
    h('td', { class: 'mono' }, h('a', { href: `#/endpoints/${encodeURIComponent(w.id)}` }, w.target_url)),
    stateCell(w, stats),
    h('td', { class: 'num success-rate' }, percent(stats?.success_rate)),
    h('td', { class: 'num latency' }, latency(stats?.latency_ms)),
    h('td', { class: 'mono' }, w.event_types.length ? w.event_types.join(', ') : 'all'),
    h('td', {}, fmtTime(w.created_at)),
    h('td', {}, h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'health' }, onclick: () => (location.hash = `#/endpoints/${encodeURIComponent(w.id)}`) }, 'Health'),
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'deliveries' }, onclick: () => showEndpoint(w.id) }, 'Deliveries'),
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'toggle' }, onclick: run(toggle) }, w.is_active ? 'Disable' : 'Enable'),
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'test' }, onclick: run(sendTest) }, 'Send test'),
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'replay' }, onclick: run(replayFailed) }, 'Replay failed…'),
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'rotate' }, onclick: run(rotate) }, 'Rotate secret…'))));
}

export async function render(root) {
  const holder = h('div', { id: 'endpoints' });
  const envCharts = h('div', { class: 'charts', id: 'env-charts' });
  const rerender = async () => {
    const list = await listAll('/webhook');
    const stats = await Promise.all(list.map((w) =>
      api('GET', `/webhook/${encodeURIComponent(w.id)}/stats?limit=${HEALTH_WINDOW}`).catch(() => null)));
    holder.replaceChildren(table(['Target URL', 'State', 'Success', 'Latency p50 / p95', 'Event types', 'Created', ''],
      list.map((w, i) => endpointRow(w, stats[i], rerender)), 'No endpoints in this environment.'));
    // The whole environment's last hour, under the table (each endpoint's own charts are on its page).
    const series = await api('GET', '/stats/deliveries?minutes=60');
    envCharts.replaceChildren(outcomeChart(series.buckets, 'env-chart-outcomes'), latencyChart(series.buckets, 'env-chart-latency'));
  };
  root.replaceChildren(h('div', { class: 'toolbar' }, h('h1', {}, 'Endpoints')), holder,
    h('h2', {}, 'All endpoints, last hour'), envCharts);
  await rerender();
  return () => {};
}

function healthFacts(w, st) {
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  const d = st.deliveries;
  return h('dl', { class: 'facts', id: 'endpoint-health' },
    ...row('State', h('span', { id: 'health-state' }, badge(st.state))),
    ...row('Success rate', h('span', { id: 'health-success' }, percent(st.success_rate))),
    ...row('Latency', h('span', { id: 'health-latency' }, st.latency_ms ? `p50 ${st.latency_ms.p50} ms · p95 ${st.latency_ms.p95} ms · p99 ${st.latency_ms.p99} ms · max ${st.latency_ms.max} ms` : '—')),
    ...row('Deliveries', `${d.succeeded} succeeded · ${d.failed} failed · ${d.retrying} retrying · ${d.pending + d.paused} pending`),
    ...row('Attempts', `${st.attempts.total} (${st.attempts.failed} failed)`),
    ...row('Failing since', st.failing_since ? fmtTime(st.failing_since) : '—'),
    ...row('Window', `the ${st.window.deliveries} most recent deliveries${st.window.truncated ? ` (of more; at most ${st.window.limit} read)` : ''}`),
    ...row('Target URL', h('span', { class: 'mono' }, w.target_url)));
}

// One endpoint: its health and its charts, refreshed every 5 s.
export async function renderDetail(root, id) {
  const w = await api('GET', `/webhook/${encodeURIComponent(id)}`);
  const facts = h('div', { class: 'card' });
  const charts = h('div', { class: 'charts', id: 'charts' });
  const minutes = h('select', { id: 'chart-minutes', onchange: (e) => ((chartMinutes = Number(e.target.value)), refresh()) },
    [15, 60, 180, 720].map((m) => h('option', { value: m, selected: m === chartMinutes }, m < 60 ? `${m} minutes` : `${m / 60} hour${m > 60 ? 's' : ''}`)));
  const refresh = async () => {
    const path = `/webhook/${encodeURIComponent(id)}`;
    const [st, series] = await Promise.all([api('GET', `${path}/stats`),
      api('GET', `/stats/deliveries?webhook_id=${encodeURIComponent(id)}&minutes=${chartMinutes}`)]);
    facts.replaceChildren(healthFacts(w, st));
    charts.replaceChildren(outcomeChart(series.buckets), latencyChart(series.buckets),
      series.truncated ? h('p', { class: 'muted' }, `Only the newest ${series.deliveries_read} deliveries were read: older minutes are undercounted.`) : '');
  };
  root.replaceChildren(
    h('div', { class: 'toolbar' }, h('a', { href: '#/endpoints' }, '← Endpoints'), h('h1', {}, 'Endpoint health'),
      h('span', { class: 'spacer' }), h('label', { class: 'inline' }, 'Last ', minutes)),
    facts, h('h2', {}, 'Charts'), charts);
  return poll(refresh, DETAIL_POLL_MS);
}
