// Small DOM helpers. Data from the API is only ever set as text (textContent), never parsed as HTML: a target
// URL or a response snippet holding markup stays text.

// h('td', {class: 'num'}, 'text', childNode, ...): attributes starting with "on" are event listeners.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function badge(word) {
  return h('span', { class: `badge ${word}` }, word);
}

// "2026-12-06 20:01:37" in the browser's zone; "" for null.
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function table(headers, rows, emptyText) {
  const body = h('tbody');
  if (rows.length === 0) body.append(h('tr', {}, h('td', { class: 'empty', colspan: headers.length }, emptyText)));
  else body.append(...rows);
  return h('table', {}, h('thead', {}, h('tr', {}, headers.map((t) => h('th', {}, t)))), body);
}

export function flash(message, isError = false) {
  const el = document.getElementById('flash');
  el.replaceChildren(message);
  el.className = isError ? 'flash error' : 'flash';
  el.hidden = false;
}

export function clearFlash() {
  const el = document.getElementById('flash');
  el.hidden = true;
  el.replaceChildren();
}

// A modal confirmation; resolves true when OK was chosen. `body` is a node or text.
export function confirmDialog(title, body, okLabel) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-body').replaceChildren(body);
  document.getElementById('confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

// Repeats `fn` every `ms` until the returned stop() is called; one run at a time (a slow answer delays the next
// poll instead of piling requests up).
export function poll(fn, ms) {
  let stopped = false;
  let timer = null;
  const run = async () => {
    try {
      await fn();
    } catch (e) {
      flash(e.message, true);
    } finally {
      if (!stopped) timer = setTimeout(run, ms);
    }
  };
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
