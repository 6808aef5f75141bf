// Endpoints: the environment's webhook endpoints with their state, and what an operator does to one: enable or
// disable it (PATCH /webhook/{id}), rotate its secret (POST /webhook/{id}/rotate-secret; the new secret is shown
// once, here, and kept nowhere), send a test event (POST /webhook/test) and replay its failed deliveries
// (POST /webhook/{id}/replay, dry run first).
import { api, listAll } from './api.js';
import { showEndpoint } from './deliveries.js';
import { badge, confirmDialog, flash, fmtTime, h, table } from './dom.js';

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
  const path = `/webhook/${encodeURIComponent(w.id)}/replay`;
  const dry = await api('POST', path, { status: 'failed', dry_run: true });
  if (dry.matched === 0) {
    flash(`${w.target_url} has no failed delivery to replay.`);
    return;
  }
  const ok = await confirmDialog('Replay failed deliveries?',
    h('p', { id: 'replay-count' }, `${dry.matched} failed ${dry.matched === 1 ? 'delivery' : 'deliveries'} of ${w.target_url} will be sent again now.`),
    `Replay ${dry.matched}`);
  if (!ok) return;
  const done = await api('POST', path, { status: 'failed' });
  flash(`${done.replayed} of ${done.matched} failed ${done.matched === 1 ? 'delivery' : 'deliveries'} replayed: follow them under Deliveries.`);
}

function endpointRow(w, rerender) {
  const run = (fn) => () => fn(w, rerender).catch((e) => flash(e.message, true));
  return h('tr', { dataset: { id: w.id } },
    h('td', { class: 'mono' }, w.target_url),
    h('td', {}, badge(w.is_active ? 'active' : 'disabled'), w.disabled_reason ? h('div', { class: 'muted' }, w.disabled_reason) : ''),
    h('td', { class: 'mono' }, w.event_types.length ? w.event_types.join(', ') : 'all'),
    h('td', {}, fmtTime(w.created_at)),
    h('td', {}, h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'deliveries' }, onclick: () => showEndpoint(w.id) }, 'Deliveries'),
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'toggle' }, onclick: run(toggle) }, w.is_active ? 'Disable' : 'Enable'),
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'test' }, onclick: run(sendTest) }, 'Send test'),
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'replay' }, onclick: run(replayFailed) }, 'Replay failed…'),
      h('button', { type: 'button', class: 'small ghost', dataset: { action: 'rotate' }, onclick: run(rotate) }, 'Rotate secret…'))));
}

export async function render(root) {
  const holder = h('div', { id: 'endpoints' });
  const rerender = async () => {
    const list = await listAll('/webhook');
    holder.replaceChildren(table(['Target URL', 'State', 'Event types', 'Created', ''],
      list.map((w) => endpointRow(w, rerender)), 'No endpoints in this environment.'));
  };
  root.replaceChildren(h('div', { class: 'toolbar' }, h('h1', {}, 'Endpoints')), holder);
  await rerender();
  return () => {};
}
