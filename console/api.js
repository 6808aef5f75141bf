// The admin API, called with the signed-in token. The token lives in sessionStorage only: it survives a reload
// of this tab, is gone when the tab closes, is never shared with other tabs, and never appears in a URL (it goes
// in the Authorization header, which the admin API reads).
const KEY = 'hookd.console.token';

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(value) {
  sessionStorage.setItem(KEY, value);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Calls the API; resolves to the parsed JSON body (null for 204), rejects with an ApiError carrying the API's
// `{error, message}`. A 401 means the token was revoked or rotated: listeners sign the user out.
export async function api(method, path, body, tokenOverride) {
  const headers = { Authorization: `Bearer ${tokenOverride ?? token()}` };
  const init = { method, headers, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data?.error ?? 'http_' + res.status, data?.message ?? res.statusText);
    if (res.status === 401 && tokenOverride === undefined) window.dispatchEvent(new CustomEvent('hookd:unauthorized'));
    throw err;
  }
  return data;
}

// "/delivery?status=failed&event=test": undefined and empty values are left out.
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// Every page of a list route (endpoints and environments are tens of records).
export async function listAll(path) {
  const out = [];
  let cursor = '';
  do {
    const page = await api('GET', withQuery(path, { limit: 500, cursor }));
    out.push(...page.result);
    cursor = page.next_cursor ?? '';
  } while (cursor);
  return out;
}
