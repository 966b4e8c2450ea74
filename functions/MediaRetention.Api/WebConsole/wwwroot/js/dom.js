// Building the page safely. Everything shown comes from the API and much of it is attacker-controlled (blob
// names, case numbers, reasons, officer names), so text is only ever set with textContent / createTextNode and
// attributes with setAttribute. Nothing in the console parses strings as HTML (a unit test checks the sources).

/**
 * h('tag', { attributes, on: { event: handler } }, ...children): an element. Strings and numbers among the
 * children become text nodes; null, undefined and false are skipped; arrays are flattened.
 */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === 'class') {
      element.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'value' || name === 'checked' || name === 'disabled' || name === 'selected') {
      element[name] = value;
    } else if (/^on|HTML$|^style$/.test(name)) {
      throw new Error(`h(): '${name}' is not allowed; use 'on' for events and classes for styling`);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

export function replace(element, ...children) {
  clear(element);
  return append(element, ...children);
}

/** A notice box: kind is good, bad, warn or info. */
export function notice(kind, title, ...detail) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'bad' ? 'alert' : null },
    h('strong', {}, title), detail.length ? h('div', { class: 'detail' }, ...detail) : null);
}

/** An API error (problem+json) as a notice that says what went wrong and what the server said to do. */
export function errorNotice(error, what) {
  const status = error?.status ? ` (HTTP ${error.status})` : '';
  return notice('bad', `${what} failed${status}`, error?.detail ?? error?.message ?? String(error));
}

export function empty(text) {
  return h('div', { class: 'empty' }, text);
}

/**
 * What a list shows when it has nothing yet but the API still has a continuation token: not "nothing found", since
 * later pages may hold items, and a button to look further.
 */
export function notYet(what, onMore) {
  return h('div', { class: 'empty' },
    `No ${what} found so far, but the search has not reached the end. `,
    h('button', { type: 'button', class: 'secondary small', on: { click: onMore } }, 'Keep looking'));
}

export function badge(kind, text) {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/** Definition list from [label, value] pairs; values may be nodes or text; empty values are left out. */
export function facts(pairs) {
  const list = h('dl', { class: 'facts' });
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === '') continue;
    list.append(h('dt', {}, label), h('dd', {}, value));
  }
  return list;
}

export function table(headers, rows, options = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      options.caption ? h('caption', { class: 'visually-hidden' }, options.caption) : null,
      h('thead', {}, h('tr', {}, headers.map((header) =>
        typeof header === 'string' ? h('th', { scope: 'col' }, header) : h('th', { scope: 'col', class: header.class }, header.text)))),
      h('tbody', {}, rows)));
}

let announceTimer;
/** Says something to screen readers through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  clearTimeout(announceTimer);
  region.textContent = '';
  // A fresh text node after a tick makes screen readers announce a repeated message too.
  announceTimer = setTimeout(() => { region.textContent = text; }, 50);
}

/** A labelled form field; returns { field, input }. */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 10)}`;
  input.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  // The hint is outside the label, so the field's accessible name is exactly the label; it is read as the
  // field's description instead.
  return h('div', { class: 'field' },
    h('div', { class: 'label-row' }, h('label', { for: id }, label), hint ? h('span', { class: 'hint', id: hintId }, hint) : null),
    input);
}

// ---- formatting -----------------------------------------------------------------------------------------

const timeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : timeFormat.format(date);
}

/** A time element with the instant in UTC as its machine-readable value and a tooltip. */
export function timeEl(iso) {
  if (!iso) return '';
  return h('time', { datetime: iso, title: new Date(iso).toISOString?.() ?? iso }, formatTime(iso));
}

export function formatBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The browser's offset from UTC, e.g. "UTC+01:00", for labelling local-time inputs. */
export function utcOffsetLabel(date = new Date()) {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A datetime-local input's value (local time) as an ISO instant, or null when empty. */
export function localInputToIso(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An instant as a datetime-local input value (local time, to the second). */
export function isoToLocalInput(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A short description of a hold's scope, as text. */
export function describeScope(scope) {
  if (!scope) return '';
  const window = scope.from && scope.to ? `, ${formatTime(scope.from)} – ${formatTime(scope.to)}` : '';
  switch (scope.type) {
    case 'cctv':
      return `CCTV ${scope.site}${scope.cameras?.length ? ` (${scope.cameras.join(', ')})` : ' (all cameras)'}${window}`;
    case 'system':
      return `Calls of phone system ${scope.system}${window}`;
    case 'phone':
      return `Calls with ${scope.phoneNumber}${window}`;
    case 'call':
      return `Call ${scope.callId}`;
    case 'media':
      return `${scope.mediaIds?.length ?? 0} listed media`;
    default:
      return scope.type;
  }
}
