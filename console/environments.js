// The operator token's view: the environments (GET /environment). Deliveries and endpoints live inside an
// environment, and the admin API answers them only to that environment's token, so the operator signs in with
// one of those to see them.
import { listAll } from './api.js';
import { fmtTime, h, table } from './dom.js';

export async function render(root) {
  const list = await listAll('/environment');
  root.replaceChildren(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Environments')),
    h('p', { class: 'muted' }, 'Deliveries and endpoints belong to an environment: sign in with its API token to see them.'),
    table(['Name', 'Id', 'Created'],
      list.map((e) => h('tr', { dataset: { id: e.id } }, h('td', {}, e.name), h('td', { class: 'mono' }, e.id), h('td', {}, fmtTime(e.created_at)))),
      'No environments yet.'));
  return () => {};
}
