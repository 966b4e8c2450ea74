// The console's only way to the HTTP API. Runner: an API key pasted by the user, kept in sessionStorage (gone
// when the tab closes) and sent as X-Api-Key. Azure: App Service Authentication's session cookie, sent by the
// browser on same-origin requests. Every POST declares application/json, which the API requires of all
// state-changing requests (a cross-site form cannot send it).

const KEY_STORAGE = 'mediaretention.apiKey';

export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.detail = detail || title || `HTTP ${status}`;
  }
}

export const session = {
  /** 'apikey' (runner) or 'appservice' (Azure, Entra ID sign-in). */
  mode: 'apikey',
  /** The signed-in caller from GET /api/me: { name, role, agency }. */
  me: null,
  get key() {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  set key(value) {
    if (value) sessionStorage.setItem(KEY_STORAGE, value);
    else sessionStorage.removeItem(KEY_STORAGE);
  },
};

/**
 * App Service Authentication answers /.auth/me itself (200 signed in, 401 not); the runner has no such path and
 * answers 404. So the answer tells how to sign in.
 */
export async function detectAuthMode() {
  try {
    const response = await fetch('/.auth/me', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    return response.status === 404 ? 'apikey' : 'appservice';
  } catch {
    return 'apikey';
  }
}

export function signInUrl() {
  return `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent('/')}`;
}

export function signOutUrl() {
  return `/.auth/logout?post_logout_redirect_uri=${encodeURIComponent('/')}`;
}

async function toError(response) {
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      const problem = await response.json();
      return new ApiError(response.status, problem.title, problem.detail);
    } catch {
      // fall through to the status line
    }
  }
  return new ApiError(response.status, response.statusText, `${response.status} ${response.statusText}`.trim());
}

export async function request(method, path, { query, body, raw, headers: extra } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined && value !== '') url.searchParams.set(name, value);
  }
  const headers = { Accept: 'application/json, application/problem+json', ...(extra ?? {}) };
  if (session.mode === 'apikey' && session.key) headers['X-Api-Key'] = session.key;
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method === 'POST') {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }

  const response = await fetch(url, init);
  if (!response.ok) {
    const error = await toError(response);
    if (response.status === 401) window.dispatchEvent(new CustomEvent('mr:unauthorized', { detail: error }));
    throw error;
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

const get = (path, query) => request('GET', path, { query });

/** How often an unfinished operation is asked about again. */
export const POLL_INTERVAL_MS = 1000;

/**
 * Long work (a sweep, an evidence re-check) answers 202 with an operation; this asks for it again at its location
 * until it has succeeded or failed, and returns it. onProgress hears the operation after each look while it runs.
 */
export async function untilFinished(operation, onProgress, { interval = POLL_INTERVAL_MS } = {}) {
  let current = operation;
  while (current.status === 'queued' || current.status === 'running') {
    onProgress?.(current);
    await new Promise((resolve) => { setTimeout(resolve, interval); });
    current = await get(current.location);
  }
  return current;
}
/** How many pages with no items a list asks past on its own before it offers the user to look further. */
export const EMPTY_PAGE_HOPS = 10;

/**
 * A page of an API list may hold no items and still carry a continuationToken: Azure Table storage answers such
 * pages (at partition boundaries, after 5 s of scanning) and the API passes them on. Such a page is not the end of
 * the list. This asks for the next page, load(token) → { items, continuationToken }, until one has items or no
 * token is left, at most `hops` more times; the token it returns is null only at the real end.
 */
export async function nextItems(load, token, { hops = EMPTY_PAGE_HOPS } = {}) {
  const items = [];
  let next = token ?? null;
  for (let asked = 0; ; asked++) {
    const page = await load(next ?? undefined);
    items.push(...page.items);
    next = page.continuationToken ?? null;
    if (items.length > 0 || !next || asked >= hops) return { items, token: next };
  }
}

const post = (path, body) => request('POST', path, { body });
const id = (value) => encodeURIComponent(value);

export const api = {
  me: () => get('/api/me'),
  media: (query) => get('/api/media', query),
  medium: (mediaId) => get(`/api/media/${id(mediaId)}`),
  mediaLink: (mediaId) => get(`/api/media/${id(mediaId)}/link`),
  holds: (query) => get('/api/holds', query),
  hold: (holdId, query) => get(`/api/holds/${id(holdId)}`, query),
  previewHold: (body) => post('/api/holds/preview', body),
  /** idempotencyKey (optional): a retry with the same key and body gets the hold already placed, not a second one. */
  placeHold: (body, idempotencyKey) =>
    request('POST', '/api/holds', { body, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : undefined }),
  releaseHold: (holdId, reason) => post(`/api/holds/${id(holdId)}/release`, { reason }),
  /** Approve a police request; scope (optional) narrows it. */
  approveHold: (holdId, reason, scope) => post(`/api/holds/${id(holdId)}/approve`, scope ? { reason, scope } : { reason }),
  rejectHold: (holdId, reason) => post(`/api/holds/${id(holdId)}/reject`, { reason }),
  /** The sealed manifest as the exact text the server sent (the seal is checked over its parsed form). */
  manifestText: async (holdId) => (await request('GET', `/api/holds/${id(holdId)}/evidence/manifest`, { raw: true })).text(),
  /** The public keys that verify manifest signatures (a JWKS; anonymous). */
  signingKeys: () => get('/api/evidence/signing-keys'),
  /** 202: an operation to follow with untilFinished; its result is the verification. */
  verifyEvidence: (holdId) => post(`/api/holds/${id(holdId)}/evidence/verify`),
  retentionPreview: (limit) => get('/api/retention/preview', { limit }),
  /** 202: an operation to follow with untilFinished; its result is the sweep's summary. */
  sweep: () => post('/api/retention/sweep'),
  operation: (operationId) => get(`/api/operations/${id(operationId)}`),
  audit: (query) => get('/api/audit', query),
  auditVerify: () => get('/api/audit/verify'),
  subjectRequests: (query) => get('/api/subject-requests', query),
  subjectRequest: (requestId) => get(`/api/subject-requests/${id(requestId)}`),
  openSubjectRequest: (body) => post('/api/subject-requests', body),
  subjectMediumLink: (requestId, mediaId) => get(`/api/subject-requests/${id(requestId)}/media/${id(mediaId)}/link`),
  /** The signed, sealed export as the exact text the server sent (the seal is checked over its parsed form). */
  exportSubjectAccess: async (requestId, body) =>
    (await request('POST', `/api/subject-requests/${id(requestId)}/export`, { body, raw: true })).text(),
  previewErasure: (requestId) => post(`/api/subject-requests/${id(requestId)}/erasure/preview`),
  erase: (requestId, confirmCount) =>
    post(`/api/subject-requests/${id(requestId)}/erasure`, confirmCount === undefined ? {} : { confirmCount }),
  answerSubjectRequest: (requestId, answer) => post(`/api/subject-requests/${id(requestId)}/answer`, { answer }),
  rejectSubjectRequest: (requestId, reason) => post(`/api/subject-requests/${id(requestId)}/reject`, { reason }),
};
