// Boot, sign-in, navigation and routing (hash routes, so the server only ever serves the files it has).
import { api, detectAuthMode, session, signInUrl, signOutUrl } from './api.js';
import { announce, append, errorNotice, field, h, notice, replace } from './dom.js';
import { can, ROLE_LABELS } from './roles.js';
import { renderMedia } from './media.js';
import { renderHoldDetail, renderHoldList, renderNewHold, renderRequests } from './holds.js';
import { renderEvidence } from './evidence.js';
import { renderAudit, renderRetention } from './admin.js';
import { renderNewSubjectRequest, renderSubjectRequest, renderSubjectRequests } from './privacy.js';

const main = () => document.getElementById('main');

const NAV = [
  { href: '#/media', label: 'Media', allowed: () => can('listMedia') },
  { href: '#/holds', label: () => (session.me?.role === 'police' ? 'Our holds' : 'Holds'), allowed: () => can('holds') },
  { href: '#/requests', label: 'Requests', allowed: () => can('reviewHold') },
  { href: '#/holds/new', label: () => (session.me?.role === 'police' ? 'Request preservation' : 'Place a hold'), allowed: () => can('placeHold') },
  { href: '#/retention', label: 'Retention', allowed: () => can('retention') },
  { href: '#/audit', label: 'Audit log', allowed: () => can('audit') },
  { href: '#/subject-requests', label: 'Subject requests', allowed: () => can('subjectRequests') },
  { href: '#/subject-requests/new', label: 'New request', allowed: () => session.me?.role === 'privacy' },
];

const ROUTES = [
  { pattern: /^\/media$/, allowed: () => can('listMedia'), render: (view, params) => renderMedia(view, params) },
  { pattern: /^\/holds$/, allowed: () => can('holds'), render: (view, params) => renderHoldList(view, params) },
  { pattern: /^\/holds\/new$/, allowed: () => can('placeHold'), render: (view, params) => renderNewHold(view, params) },
  { pattern: /^\/requests$/, allowed: () => can('reviewHold'), render: (view) => renderRequests(view) },
  { pattern: /^\/holds\/([^/]+)$/, allowed: () => can('holds'), render: (view, params, [holdId]) => renderHoldDetail(view, holdId) },
  { pattern: /^\/evidence\/([^/]+)$/, allowed: () => can('evidence'), render: (view, params, [holdId]) => renderEvidence(view, holdId) },
  { pattern: /^\/retention$/, allowed: () => can('retention'), render: (view) => renderRetention(view) },
  { pattern: /^\/audit$/, allowed: () => can('audit'), render: (view) => renderAudit(view) },
  { pattern: /^\/subject-requests$/, allowed: () => can('subjectRequests'), render: (view, params) => renderSubjectRequests(view, params) },
  { pattern: /^\/subject-requests\/new$/, allowed: () => can('subjectRequests'), render: (view) => renderNewSubjectRequest(view) },
  { pattern: /^\/subject-requests\/([^/]+)$/, allowed: () => can('subjectRequests'), render: (view, params, [id]) => renderSubjectRequest(view, id) },
];

function homeFor(role) {
  return role === 'admin' ? '#/retention' : role === 'security' ? '#/media' : role === 'privacy' ? '#/subject-requests' : '#/holds';
}

function parseHash() {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  return { path: path || '/', params: new URLSearchParams(query ?? '') };
}

function renderNav() {
  const nav = document.getElementById('nav');
  const { path } = parseHash();
  replace(nav, session.me
    ? NAV.filter((item) => item.allowed()).map((item) => {
      const label = typeof item.label === 'function' ? item.label() : item.label;
      const current = `#${path}` === item.href || (item.href === '#/holds' && /^\/holds\/(?!new)/.test(path))
        || (item.href === '#/subject-requests' && /^\/subject-requests\/(?!new)/.test(path));
      return h('a', { href: item.href, 'aria-current': current ? 'page' : null }, label);
    })
    : []);
}

function renderWhoAmI() {
  const box = document.getElementById('whoami');
  if (!session.me) {
    replace(box);
    return;
  }
  const { name, role, agency } = session.me;
  const signOut = session.mode === 'appservice'
    ? h('a', { href: signOutUrl(), class: 'button secondary small' }, 'Sign out')
    : h('button', { type: 'button', class: 'secondary small', on: { click: signOutWithKey } }, 'Sign out');
  replace(box,
    h('span', {}, h('span', { class: 'visually-hidden' }, 'Signed in as '), name),
    h('span', { class: 'role', title: ROLE_LABELS[role] ?? role }, agency ? `${ROLE_LABELS[role] ?? role} · ${agency}` : (ROLE_LABELS[role] ?? role)),
    signOut);
}

function signOutWithKey() {
  session.key = null;
  session.me = null;
  renderNav();
  renderWhoAmI();
  showSignIn();
  announce('Signed out. The API key was removed from this tab.');
}

function showSignIn(problem) {
  const view = h('section', { class: 'signin panel', 'aria-labelledby': 'signin-title' });
  replace(main(), view);
  append(view, h('h1', { id: 'signin-title' }, 'Sign in'));
  if (problem) append(view, problem);

  if (session.mode === 'appservice') {
    append(view,
      h('p', {}, 'Use your organisation account. Your role (security, police, privacy officer or administrator) comes from it.'),
      h('p', {}, h('a', { class: 'button', href: signInUrl() }, 'Sign in with Microsoft Entra ID')));
    return;
  }

  const input = h('input', { type: 'password', name: 'apiKey', autocomplete: 'off', spellcheck: 'false', required: true });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    on: {
      submit: async (event) => {
        event.preventDefault();
        session.key = input.value.trim();
        replace(status, h('p', { class: 'muted' }, 'Checking the key…'));
        try {
          await start();
        } catch (error) {
          session.key = null;
          replace(status, errorNotice(error, 'Signing in'));
          input.focus();
        }
      },
    },
  },
  field('API key', input, 'Kept in this browser tab only, and sent to this server with each request.'),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')));
  append(view,
    h('p', {}, 'Paste the API key you were given. ', h('span', { class: 'muted' }, '(Development keys are printed by scripts/run.sh.)')),
    form, status);
  input.focus();
}

async function route() {
  renderNav();
  if (!session.me) return;
  if (parseHash().path === '/') {
    // No history entry and no hashchange: the start page simply is the role's home.
    window.history.replaceState(null, '', homeFor(session.me.role));
    renderNav();
  }
  const { path, params } = parseHash();
  const view = h('div', { class: 'view' });
  replace(main(), view);
  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  if (!match) {
    append(view, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: homeFor(session.me.role) }, 'Go to the start page')));
    return;
  }
  if (!match.r.allowed()) {
    append(view, h('h1', {}, 'Not available to your role'),
      notice('warn', `${ROLE_LABELS[session.me.role] ?? session.me.role} cannot use this page.`),
      h('p', {}, h('a', { href: homeFor(session.me.role) }, 'Go to the start page')));
    return;
  }
  try {
    await match.r.render(view, params, match.m.slice(1).map(decodeURIComponent));
  } catch (error) {
    append(view, errorNotice(error, 'Loading this page'));
  }
}

async function start() {
  session.me = await api.me();
  renderWhoAmI();
  await route();
  announce(`Signed in as ${session.me.name}, ${ROLE_LABELS[session.me.role] ?? session.me.role}.`);
}

window.addEventListener('hashchange', async () => {
  await route();
  main().focus();
});

window.addEventListener('mr:unauthorized', (event) => {
  if (!session.me) return; // the sign-in form shows its own error
  session.me = null;
  renderNav();
  renderWhoAmI();
  showSignIn(notice('warn', 'Your session has ended', event.detail?.detail ?? 'Sign in again.'));
});

async function boot() {
  session.mode = await detectAuthMode();
  if (session.mode === 'apikey' && !session.key) {
    showSignIn();
    return;
  }
  try {
    await start();
  } catch (error) {
    if (session.mode === 'apikey') session.key = null;
    showSignIn(error.status === 401 ? null : errorNotice(error, 'Signing in'));
  }
}

boot();
