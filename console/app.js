// The console's shell: sign-in, the navigation and the hash router (#/deliveries, #/deliveries/<id>,
// #/endpoints, #/endpoints/<id>, #/inbound, #/environments). The hash names a view, never the token.
import { api, ApiError, forget, setToken, token } from './api.js';
import { clearFlash, flash, h } from './dom.js';
import * as deliveries from './deliveries.js';
import * as endpoints from './endpoints.js';
import * as environments from './environments.js';
import * as inbound from './inbound.js';

const $ = (id) => document.getElementById(id);
let role = null;  // 'environment' | 'operator', found at sign-in from what the API answers the token
let stopView = () => {};

// An environment token may list endpoints; the operator token is refused there (403) but may list environments.
async function roleOf(candidate) {
  try {
    await api('GET', '/webhook?limit=1', undefined, candidate);
    return 'environment';
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) throw e;
  }
  await api('GET', '/environment?limit=1', undefined, candidate);
  return 'operator';
}

function showSignIn(message = '') {
  stopView();
  stopView = () => {};
  role = null;
  $('view').replaceChildren();
  clearFlash();
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  $('token').value = '';
  $('token').focus();
}

async function route() {
  if (!role) return;
  stopView();
  stopView = () => {};
  clearFlash();
  const fallback = role === 'operator' ? '#/environments' : '#/deliveries';
  const [, view, id] = (location.hash || fallback).split('/');
  const allowed = role === 'operator' ? ['environments'] : ['deliveries', 'endpoints', 'inbound'];
  if (!allowed.includes(view)) {
    location.replace(fallback);
    return;
  }
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === view);
  const root = $('view');
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    if (view === 'deliveries' && id) stopView = await deliveries.renderDetail(root, decodeURIComponent(id));
    else if (view === 'deliveries') stopView = await deliveries.renderList(root);
    else if (view === 'endpoints' && id) stopView = await endpoints.renderDetail(root, decodeURIComponent(id));
    else if (view === 'endpoints') stopView = await endpoints.render(root);
    else if (view === 'inbound') stopView = await inbound.render(root);
    else stopView = await environments.render(root);
  } catch (e) {
    root.replaceChildren();
    flash(e.message, true);
  }
}

async function signedIn(kind) {
  role = kind;
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = kind === 'operator' ? 'operator token' : 'environment token';
  for (const a of document.querySelectorAll('#nav a')) a.hidden = a.dataset.for !== kind;
  await route();
}

async function signIn(event) {
  event.preventDefault();
  const candidate = $('token').value.trim();
  $('token').value = '';
  if (!candidate) return;
  try {
    const kind = await roleOf(candidate);
    setToken(candidate);
    await signedIn(kind);
  } catch (e) {
    showSignIn(e instanceof ApiError && e.status === 401 ? 'This token is not valid.' : `Cannot sign in: ${e.message}`);
  }
}

function start() {
  $('sign-in').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', () => {
    forget();
    history.replaceState(null, '', location.pathname);
    showSignIn();
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('hookd:unauthorized', () => {
    forget();
    showSignIn('The token is no longer valid: sign in again.');
  });
  const saved = token();
  if (!saved) {
    showSignIn();
    return;
  }
  roleOf(saved).then(signedIn, () => {
    forget();
    showSignIn();
  });
}

start();
