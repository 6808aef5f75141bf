// Deliveries: the environment's list (live, every 2.5 s) with the filters the API takes, and one delivery with
// every attempt and its replay. Everything comes from GET /delivery, GET /webhook/{id}/deliveries and
// GET /delivery/{id}; a replay is POST /delivery/{id}/replay, dry run first.
import { api, listAll, withQuery } from './api.js';
import { badge, clearFlash, confirmDialog, flash, fmtTime, h, poll, table } from './dom.js';

const POLL_MS = 2500;
const STATUSES = ['pending', 'retrying', 'succeeded', 'failed'];
const EVENT_TYPES = [
  'record:created', 'record:updated', 'record:deleted', 'record:meta', 'test', 'webhook:disabled',
  'integrated_account:created', 'integrated_account:updated', 'integrated_account:deleted',
  'integrated_account:active', 'integrated_account:reactivated', 'integrated_account:authentication_error',
  'integrated_account:post_install_error', 'integrated_account:validation_error',
  'environment_integration:created', 'environment_integration:updated', 'api_token:created', 'api_token:deleted',
];

// Kept across visits of the view (not in the URL: the hash only names the view and a delivery id).
const filters = { status: '', event: '', endpoint: '', since: '', until: '' };

// The Endpoints view's "Deliveries" button: this endpoint's deliveries, other filters kept.
export function showEndpoint(id) {
  filters.endpoint = id;
  location.hash = '#/deliveries';
}

// "2026-12-06T20:01" (datetime-local, the browser's zone) -> ISO 8601 with a zone, as the API wants.
function toIso(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function endpointLabel(endpoints, id) {
  const w = endpoints.get(id);
  return w ? w.target_url : id;
}

function filterBar(endpoints, onChange) {
  const select = (name, options) =>
    h('select', { name, onchange: (e) => ((filters[name] = e.target.value), onChange()) },
      options.map(([value, label]) => h('option', { value, selected: filters[name] === value }, label)));
  const input = (name, attrs) =>
    h('input', { name, value: filters[name], ...attrs, onchange: (e) => ((filters[name] = e.target.value), onChange()) });
  return h('form', { class: 'filters', id: 'delivery-filters', onsubmit: (e) => e.preventDefault() },
    h('label', {}, 'Status', select('status', [['', 'any'], ...STATUSES.map((s) => [s, s])])),
    h('label', {}, 'Event type', input('event', { list: 'event-types', placeholder: 'any', size: 22 })),
    h('datalist', { id: 'event-types' }, EVENT_TYPES.map((t) => h('option', { value: t }))),
    h('label', {}, 'Endpoint', select('endpoint', [['', 'all'], ...[...endpoints.values()].map((w) => [w.id, w.target_url])])),
    h('label', {}, 'Since', input('since', { type: 'datetime-local', step: 1 })),
    h('label', {}, 'Until', input('until', { type: 'datetime-local', step: 1 })));
}

function deliveryRow(d, endpoints) {
  const last = d.attempts?.length ? d.attempts[d.attempts.length - 1] : null;
  return h('tr', { class: 'link', dataset: { id: d.id, status: d.status }, onclick: () => (location.hash = `#/deliveries/${d.id}`) },
    h('td', {}, badge(d.status)),
    h('td', { class: 'mono' }, d.event),
    h('td', { class: 'mono' }, endpointLabel(endpoints, d.webhook_id)),
    h('td', { class: 'num' }, d.attempt_count, d.replays ? h('span', { class: 'muted' }, ` (${d.replays} replay${d.replays > 1 ? 's' : ''})`) : ''),
    h('td', { class: 'num' }, d.last_status_code ?? (d.last_error ? '—' : '')),
    h('td', { class: 'num' }, last ? `${last.latency_ms} ms` : ''),
    h('td', {}, fmtTime(d.created_at)),
    h('td', {}, fmtTime(d.updated_at)));
}

export async function renderList(root) {
  const endpoints = new Map((await listAll('/webhook')).map((w) => [w.id, w]));
  if (filters.endpoint && !endpoints.has(filters.endpoint)) filters.endpoint = '';
  const status = h('span', { class: 'muted', id: 'updated' });
  const holder = h('div', { id: 'deliveries' });
  let generation = 0;
  const refresh = async () => {
    const mine = ++generation;
    const params = { status: filters.status, event: filters.event.trim(), since: toIso(filters.since), until: toIso(filters.until), limit: 100 };
    const path = filters.endpoint ? `/webhook/${encodeURIComponent(filters.endpoint)}/deliveries` : '/delivery';
    const page = await api('GET', withQuery(path, params));
    if (mine !== generation) return;  // a filter changed while this was in flight
    const rows = page.result.map((d) => deliveryRow(d, endpoints));
    holder.replaceChildren(table(['Status', 'Event', 'Endpoint', 'Attempts', 'Last code', 'Latency', 'Created', 'Updated'],
      rows, 'No deliveries match.'));
    status.textContent = `Updated ${fmtTime(new Date().toISOString())}`;
    clearFlash();
  };
  root.replaceChildren(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Deliveries'), status),
    filterBar(endpoints, () => refresh().catch((e) => flash(e.message, true))),
    holder);
  return poll(refresh, POLL_MS);
}

function attemptsTable(attempts) {
  const rows = attempts.map((a) => h('tr', {},
    h('td', { class: 'num' }, a.attempt, a.replay ? [' ', badge('replay')] : ''),
    h('td', {}, fmtTime(a.started_at)),
    h('td', { class: 'num' }, a.status_code ?? '—'),
    h('td', { class: 'num' }, `${a.latency_ms} ms`),
    h('td', {}, a.error ?? ''),
    h('td', {}, a.response ? h('pre', {}, a.response) : h('span', { class: 'muted' }, 'empty'))));
  return table(['#', 'Started', 'Status', 'Latency', 'Error', 'Response (first bytes)'], rows, 'No attempt yet.');
}

async function replay(d) {
  const dry = await api('POST', `/delivery/${encodeURIComponent(d.id)}/replay`, { dry_run: true });
  if (dry.matched === 0) {
    flash(`This delivery cannot be replayed now: ${dry.reason ?? 'nothing matched'}.`, true);
    return;
  }
  const ok = await confirmDialog('Replay this delivery?',
    h('p', {}, `${dry.matched} delivery will be sent again now to its endpoint, with the same event id, marked as a replay.`),
    'Replay');
  if (!ok) return;
  const done = await api('POST', `/delivery/${encodeURIComponent(d.id)}/replay`, {});
  if (done.replayed) flash('Replay queued: the new attempt appears below.');
  else flash(`Not replayed: ${done.reason ?? 'unknown reason'}.`, true);
}

export async function renderDetail(root, id) {
  const endpoints = new Map((await listAll('/webhook')).map((w) => [w.id, w]));
  const facts = h('dl', { class: 'facts', id: 'delivery-facts' });
  const attempts = h('div', { id: 'attempts' });
  let current = null;
  const replayButton = h('button', { id: 'replay', type: 'button', disabled: true,
    onclick: () => current && replay(current).catch((e) => flash(e.message, true)) }, 'Replay…');
  const refresh = async () => {
    const d = await api('GET', `/delivery/${encodeURIComponent(id)}`);
    current = d;
    replayButton.disabled = d.status === 'pending';
    const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
    facts.replaceChildren(
      ...row('Status', h('span', { id: 'detail-status' }, badge(d.status))),
      ...row('Event', h('span', { class: 'mono' }, `${d.event}  ·  ${d.event_id}`)),
      ...row('Endpoint', h('span', { class: 'mono' }, endpointLabel(endpoints, d.webhook_id))),
      ...row('Attempts', `${d.attempt_count}${d.replays ? ` (${d.replays} replay${d.replays > 1 ? 's' : ''})` : ''}`),
      ...row('Last status code', d.last_status_code ?? '—'),
      ...row('Last error', d.last_error ?? '—'),
      ...row('Next attempt', d.next_attempt_at ? fmtTime(d.next_attempt_at) : '—'),
      ...row('Created', fmtTime(d.created_at)),
      ...row('Updated', fmtTime(d.updated_at)),
      ...row('Delivery id', h('span', { class: 'mono' }, d.id)));
    attempts.replaceChildren(attemptsTable(d.attempts ?? []));
  };
  root.replaceChildren(
    h('div', { class: 'toolbar' }, h('a', { href: '#/deliveries' }, '← Deliveries'), h('h1', {}, 'Delivery'), replayButton),
    h('div', { class: 'card' }, facts),
    h('h2', {}, 'Attempts'),
    attempts);
  return poll(refresh, POLL_MS);
}
