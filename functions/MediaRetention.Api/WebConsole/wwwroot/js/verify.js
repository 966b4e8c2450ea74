// "Verify in this browser": the same checks as scripts/fetch-evidence.mjs, with WebCrypto. The manifest's seal
// (documentSha256) is the SHA-256 of its canonical JSON without that one property, so fields added to the
// manifest later (a signature, say) are covered by the seal and need no change here.

/** The same text CanonicalJson.Serialize writes (MediaRetention.Core.Evidence) and fetch-evidence.mjs hashes. */
export function canonicalize(value) {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalize).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    // The default sort compares UTF-16 code units: the ordinal order the server sorts keys in.
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalize(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function sha256Hex(data) {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

const SIGNATURE_ALGORITHM = 'ES256';

function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function bytesToBase64Url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The key id the service uses: the RFC 7638 thumbprint of the P-256 public key, base64url. */
async function thumbprint({ crv, kty, x, y }) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })));
  return bytesToBase64Url(new Uint8Array(digest));
}

/**
 * Checks the manifest's ES256 signature (IEEE P1363 r||s, what WebCrypto's ECDSA expects) over its canonical JSON
 * without documentSha256 and signature, against a JWKS, exactly as scripts/fetch-evidence.mjs --keys does.
 * Resolves to { ok, kid?, reason }.
 */
export async function checkSignature(manifest, jwks) {
  const signature = manifest.signature;
  if (signature === null || typeof signature !== 'object' || Array.isArray(signature)) {
    return { ok: false, reason: 'the manifest carries no signature' };
  }
  const { alg, kid, value } = signature;
  if (alg !== SIGNATURE_ALGORITHM) return { ok: false, kid, reason: `algorithm is ${JSON.stringify(alg ?? null)}, not ${SIGNATURE_ALGORITHM}` };
  if (typeof kid !== 'string' || typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) {
    return { ok: false, reason: 'no key id or no base64url value' };
  }
  const candidates = (Array.isArray(jwks?.keys) ? jwks.keys : []).filter((k) => k?.kty === 'EC' && k?.crv === 'P-256');
  let match = null;
  for (const jwk of candidates) {
    if (await thumbprint(jwk) === kid) match = jwk;
  }
  if (!match) return { ok: false, kid, reason: `signed by key ${kid}, which this service does not publish` };
  const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: match.x, y: match.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const { documentSha256: _seal, signature: _signature, ...signed } = manifest;
  const valid = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, base64UrlToBytes(value), new TextEncoder().encode(canonicalize(signed)));
  return valid
    ? { ok: true, kid, reason: `ES256, key ${kid}` }
    : { ok: false, kid, reason: `does not match the manifest's content (key ${kid}): it was altered after signing` };
}

/** { intact, claimed, computed } for a parsed manifest. */
export async function checkSeal(manifest) {
  const { documentSha256: claimed, ...rest } = manifest;
  const computed = await sha256Hex(canonicalize(rest));
  return { intact: typeof claimed === 'string' && claimed === computed, claimed: claimed ?? null, computed };
}

/**
 * Downloads one manifest item through its read link and compares size and SHA-256 with the manifest.
 * Resolves to { ok, sha256?, size?, reason? }; never rejects.
 */
export async function checkFile(item) {
  for (const name of ['downloadUrl', 'sha256']) {
    if (typeof item?.[name] !== 'string' || !item[name]) return { ok: false, reason: `the manifest item has no ${name}` };
  }
  let response;
  try {
    response = await fetch(item.downloadUrl, { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
  } catch {
    return {
      ok: false,
      reason: 'the browser could not read the file: the storage service is unreachable, or it does not allow this page\'s origin (CORS; see the README)',
    };
  }
  if (!response.ok) {
    const expiresAt = Date.parse(item.urlExpiresAt ?? '');
    const expired = !Number.isNaN(expiresAt) && expiresAt <= Date.now() ? ' — the link has expired; reload the page for fresh links' : '';
    return { ok: false, reason: `download failed: HTTP ${response.status}${expired}` };
  }
  // WebCrypto has no incremental digest, so the file is hashed in memory; very large recordings are better
  // checked with scripts/fetch-evidence.mjs, which streams.
  const bytes = new Uint8Array(await response.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  if (bytes.length !== item.size) {
    return { ok: false, sha256, size: bytes.length, reason: `size ${bytes.length} differs from the manifest's ${item.size}` };
  }
  if (sha256 !== item.sha256.toLowerCase()) {
    return { ok: false, sha256, size: bytes.length, reason: 'SHA-256 differs from the manifest' };
  }
  return { ok: true, sha256, size: bytes.length };
}
