// Inbound: the recent vendor requests of one integrated account (GET /inbound), newest first, with the verdict
// hookd gave each (accepted, duplicate, a handshake, meta, signature failed, ...), so an operator can see why a
// vendor's webhooks are refused. The account is picked from GET /integrated-account; the list refreshes every
// 3 s.
import { api, listAll, withQuery } from './api.js';
import { badge, clearFlash, fmtTime, h, poll, table } from './dom.js';

const POLL_MS = 3000;
const VERDICTS = ['accepted', 'duplicate', 'verify', 'meta', 'signature_failed', 'publish_failed', 'refused'];
const VERDICT_LABEL = { verify: 'handshake', signature_failed: 'signature failed', publish_failed: 'publish failed' };
const picked = { account: '', verdict: '' };

function verdictBadge(v) {
  const el = badge(VERDICT_LABEL[v] ?? v);
  el.classList.add(`verdict-${v}`);
  return el;
}

function recordRow(r) {
  return h('tr', { dataset: { id: r.id, verdict: r.verdict } },
    h('td', {}, fmtTime(r.received_at)),
    h('td', {}, verdictBadge(r.verdict)),
    h('td', { class: 'num' }, r.status_code),
    h('td', { class: 'mono' }, r.error ?? ''),
    h('td', { class: 'mono' }, r.method),
    h('td', { class: 'mono' }, r.vendor_delivery_id ?? ''),
    h('td', { class: 'mono' }, r.events.length ? r.events.map((e) => e.event).join(', ') : h('span', { class: 'muted' }, 'none')));
}

function accountLabel(a) {
  return `${a.tenant_id} · ${a.integration?.name ?? 'integration'} · ${a.id.slice(0, 8)}`;
}

export async function render(root) {
  const accounts = await listAll('/integrated-account');
  if (!accounts.some((a) => a.id === picked.account)) picked.account = accounts[0]?.id ?? '';
  const holder = h('div', { id: 'inbound' });
  const status = h('span', { class: 'muted', id: 'inbound-updated' });
  let generation = 0;
  const refresh = async () => {
    const mine = ++generation;
    if (!picked.account) {
      holder.replaceChildren(h('p', { class: 'empty' }, 'No integrated accounts in this environment.'));
      return;
    }
    const page = await api('GET', withQuery('/inbound', { integrated_account_id: picked.account, verdict: picked.verdict, limit: 100 }));
    if (mine !== generation) return;
    holder.replaceChildren(table(['Received', 'Verdict', 'Answer', 'Error', 'Method', 'Vendor delivery id', 'Events'],
      page.result.map(recordRow), 'No vendor request recorded for this account.'));
    status.textContent = `Updated ${fmtTime(new Date().toISOString())}`;
    clearFlash();
  };
  const change = (name) => (e) => {
    picked[name] = e.target.value;
    refresh();
  };
  root.replaceChildren(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Inbound'), status),
    h('p', { class: 'muted' }, 'Recent vendor requests per integrated account, with the verdict hookd gave each.'),
    h('form', { class: 'filters', id: 'inbound-filters', onsubmit: (e) => e.preventDefault() },
      h('label', {}, 'Account', h('select', { name: 'account', onchange: change('account') },
        accounts.map((a) => h('option', { value: a.id, selected: a.id === picked.account }, accountLabel(a))))),
      h('label', {}, 'Verdict', h('select', { name: 'verdict', onchange: change('verdict') },
        [['', 'any'], ...VERDICTS.map((v) => [v, VERDICT_LABEL[v] ?? v])].map(([value, label]) =>
          h('option', { value, selected: picked.verdict === value }, label))))),
    holder);
  return poll(refresh, POLL_MS);
}
