// Deliveries: the environment's list (live, every 2.5 s) with the filters the API takes, and one delivery with
// every attempt, the event's body (GET /event/{id}) and its replay. Everything comes from GET /delivery,
// GET /webhook/{id}/deliveries and GET /delivery/{id}; a replay is POST /delivery/{id}/replay, dry run first;
// "Replay these" runs the list's filters as a replay job (replay.js).
import { api, ApiError, listAll, withQuery } from './api.js';
import { badge, clearFlash, confirmDialog, flash, fmtTime, h, poll, table } from './dom.js';
import { replayWithJob } from './replay.js';

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
  const replayThese = () => {
    const spec = filters.endpoint ? { scope: 'webhook', webhook_id: filters.endpoint } : { scope: 'environment' };
    // The API replays failed ones unless a status is chosen, and never pending ones (they are due already).
    const status = filters.status && filters.status !== 'pending' ? filters.status : 'failed';
    spec.filters = { status, event_type: filters.event.trim() || undefined, since: toIso(filters.since) || undefined,
      until: toIso(filters.until) || undefined };
    const where = filters.endpoint ? ` of ${endpointLabel(endpoints, filters.endpoint)}` : '';
    replayWithJob(spec, `${status} deliveries${where} matching the filters`).catch((e) => flash(e.message, true));
  };
  root.replaceChildren(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Deliveries'), status, h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'ghost', id: 'replay-filtered', onclick: replayThese }, 'Replay these…')),
    filterBar(endpoints, () => refresh().catch((e) => flash(e.message, true))),
    holder);
  return poll(refresh, POLL_MS);
}

// Values that would let a reader forge a delivery are masked; the scheme before them stays (it tells which
// secret signed). Any header named like a credential is masked whole.
const SIGNATURE_HEADERS = /signature/i;
const CREDENTIAL_HEADERS = /authorization|secret|token|api-key|cookie/i;
export function maskHeader(name, value) {
  if (SIGNATURE_HEADERS.test(name)) return value.replace(/(v=|v1,)[^\s,]+/g, '$1••••••••');
  if (CREDENTIAL_HEADERS.test(name)) return '••••••••';
  return value;
}

// The headers an attempt went out with. Attempts do not store their request, but hookd's are fixed
// (dispatch/attempt.cpp): rebuilt here from the delivery and the attempt, signatures masked.
function requestHeaders(d, a) {
  const headers = [
    ['Content-Type', 'application/json'],
    ['X-Truto-Signature', 'format=sha256,v=<hmac>'],
    ['webhook-id', d.event_id],
    ['webhook-timestamp', String(Math.floor(new Date(a.started_at).getTime() / 1000))],
    ['webhook-signature', 'v1,<hmac>'],
    ['X-Hookd-Delivery-Id', d.id],
    ['X-Hookd-Attempt', String(a.attempt)],
  ];
  if (a.replay) headers.push(['X-Hookd-Replay', 'true']);
  return headers.map(([n, v]) => `${n}: ${maskHeader(n, v)}`).join('\n');
}

function attemptsTable(d) {
  const rows = (d.attempts ?? []).map((a) => h('tr', {},
    h('td', { class: 'num' }, a.attempt, a.replay ? [' ', badge('replay')] : ''),
    h('td', {}, fmtTime(a.started_at)),
    h('td', { class: 'num' }, a.status_code ?? '—'),
    h('td', { class: 'num' }, `${a.latency_ms} ms`),
    h('td', {}, a.error ?? ''),
    h('td', {}, a.response ? h('pre', {}, a.response) : h('span', { class: 'muted' }, 'empty')),
    h('td', {}, h('details', { class: 'headers' }, h('summary', {}, 'headers'), h('pre', {}, requestHeaders(d, a))))));
  return table(['#', 'Started', 'Status', 'Latency', 'Error', 'Response (first bytes)', 'Request'], rows, 'No attempt yet.');
}

// The event as the endpoint received it (payload pretty-printed, set as text: markup in it stays text).
async function showEventBody(holder, d) {
  try {
    const e = await api('GET', `/event/${encodeURIComponent(d.event_id)}`);
    const envelope = { id: e.id, event: e.event, payload: e.payload, environment_id: e.environment_id, created_at: e.created_at, webhook_id: d.webhook_id };
    holder.replaceChildren(h('pre', { id: 'event-body', class: 'json' }, JSON.stringify(envelope, null, 2)));
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    holder.replaceChildren(h('p', { class: 'muted', id: 'event-expired' }, "The event's body is no longer kept (HOOKD_EVENT_RETENTION)."));
  }
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
  const body = h('div', { class: 'card', id: 'event' }, h('p', { class: 'muted' }, 'Loading…'));
  let current = null;
  const replayButton = h('button', { id: 'replay', type: 'button', disabled: true,
    onclick: () => current && replay(current).catch((e) => flash(e.message, true)) }, 'Replay…');
  const refresh = async () => {
    const d = await api('GET', `/delivery/${encodeURIComponent(id)}`);
    if (!current) showEventBody(body, d).catch((e) => flash(e.message, true));
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
    attempts.replaceChildren(attemptsTable(d));
  };
  root.replaceChildren(
    h('div', { class: 'toolbar' }, h('a', { href: '#/deliveries' }, '← Deliveries'), h('h1', {}, 'Delivery'), replayButton),
    h('div', { class: 'card' }, facts),
    h('h2', {}, 'Attempts'),
    attempts,
    h('h2', {}, 'Event body'),
    body);
  return poll(refresh, POLL_MS);
}
