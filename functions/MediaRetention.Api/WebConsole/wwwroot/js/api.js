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
  verifyEvidence: (holdId) => post(`/api/holds/${id(holdId)}/evidence/verify`),
  retentionPreview: (limit) => get('/api/retention/preview', { limit }),
  sweep: () => post('/api/retention/sweep'),
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
