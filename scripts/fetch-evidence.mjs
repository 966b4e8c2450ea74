#!/usr/bin/env node
// Downloads the media listed in a MediaRetention evidence manifest and proves it unaltered and issued by the
// holder of the signing key.
//
//   node scripts/fetch-evidence.mjs <manifest.json | manifest URL> --public-key <key.pem | keys.jwks | key.jwk | JWKS URL>
//                                   [--out DIR] [--header "Name: value"]...
//
// 1. The manifest's documentSha256 must equal the SHA-256 of the manifest without that property, in the
//    canonical form MediaRetention seals it with (keys sorted by UTF-16 code units, no whitespace,
//    JSON.stringify for every value).
// 2. The manifest's signature {alg: "ES256", kid, value} must verify with one of the public keys given: ECDSA
//    P-256 / SHA-256 over the canonical form of the manifest without documentSha256 and without signature,
//    value = r||s (64 bytes) in base64url. kid is the RFC 7638 thumbprint of the key, so the script names the
//    key that signed. Give a key you hold from the issuer (a PEM file, a JWK or JWKS file), or the issuer's
//    JWKS URL (/api/evidence/signing-keys; --header is never sent there). Without --public-key the signature
//    is not checked (a WARN line says so), so nothing proves who issued the manifest.
//    Member order in the file does not matter: the service streams manifests with documentSha256 last, and
//    both checks hash the canonical form of the parsed document.
// 3. Every item is downloaded to DIR/<container>/<blobName> and its SHA-256 and size must match the manifest.
// Exit code 0 only when the manifest, its signature (when a key is given) and every file pass. Node.js >= 20,
// built-in modules only, so a liaison needs nothing but Node to check evidence.

import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const USAGE = 'usage: node fetch-evidence.mjs <manifest.json | manifest URL> --public-key <key.pem | keys.jwks | key.jwk | JWKS URL> [--out DIR] [--header "Name: value"]...';
const SIGNATURE_ALGORITHM = 'ES256';

// Download links carry a SAS token in their query string: whoever reads our output (a ticket, a chat, a
// terminal recording) must not be able to use it. Everything printed goes through this.
function redact(text) {
  return String(text).replace(/(https?:\/\/[^\s?#"']*)\?[^\s#"']*/gi, '$1?<redacted>');
}

function say(line) {
  process.stdout.write(redact(line) + '\n');
}

function parseArgs(argv) {
  const options = { source: undefined, out: 'evidence', headers: {}, publicKey: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') {
      options.out = argv[++i];
      if (!options.out) throw new UsageError('--out needs a directory');
    } else if (arg === '--public-key') {
      options.publicKey = argv[++i];
      if (!options.publicKey) throw new UsageError('--public-key needs a PEM, JWK or JWKS file, or a JWKS URL');
    } else if (arg === '--header') {
      const header = argv[++i];
      const colon = header ? header.indexOf(':') : -1;
      if (colon <= 0) throw new UsageError('--header needs "Name: value"');
      options.headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    } else if (arg === '--help' || arg === '-h') {
      throw new UsageError();
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else if (options.source === undefined) {
      options.source = arg;
    } else {
      throw new UsageError(`unexpected argument ${arg}`);
    }
  }
  if (options.source === undefined) throw new UsageError('no manifest given');
  return options;
}

class UsageError extends Error {}

// fetch() reports network trouble as "fetch failed" with the useful part in its cause.
function reason(error) {
  const cause = error?.cause?.message ? ` (${error.cause.message})` : '';
  return `${error?.message ?? error}${cause}`;
}

// The same text CanonicalJson.Serialize produces in MediaRetention.Core.Evidence.
function canonicalize(value) {
  if (Array.isArray(value)) {
    return '[' + value.map(canonicalize).join(',') + ']';
  }
  if (value !== null && typeof value === 'object') {
    // Default sort compares UTF-16 code units, which is the ordinal order the C# side uses.
    return '{' + Object.keys(value).sort().map((key) => JSON.stringify(key) + ':' + canonicalize(value[key])).join(',') + '}';
  }
  return JSON.stringify(value);
}

function documentHash(manifest) {
  const { documentSha256: _ignored, ...rest } = manifest;
  return createHash('sha256').update(canonicalize(rest), 'utf8').digest('hex');
}

// What the signature covers: the manifest without its seal and without the signature itself.
function signedBytes(manifest) {
  const { documentSha256: _seal, signature: _signature, ...rest } = manifest;
  return Buffer.from(canonicalize(rest), 'utf8');
}

// RFC 7638: SHA-256 of the required members in lexicographic order, base64url. MediaRetention's kid.
function thumbprint(key) {
  const { crv, kty, x, y } = key.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y }), 'utf8').digest('base64url');
}

function isP256(key) {
  return key.type === 'public' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

// A JWKS ({keys: [...]}), one JWK, or PEM (public key, certificate or private key). Every EC P-256 key found.
function parseKeys(text) {
  const trimmed = text.trim();
  let keys;
  if (trimmed.startsWith('{')) {
    const json = JSON.parse(trimmed);
    const jwks = Array.isArray(json.keys) ? json.keys : [json];
    keys = jwks.filter((jwk) => jwk?.kty === 'EC' && jwk?.crv === 'P-256')
      .map(({ kty, crv, x, y }) => createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' }));
  } else {
    keys = [createPublicKey(trimmed)];
  }
  const usable = keys.filter(isP256);
  if (usable.length === 0) throw new Error('no ECDSA P-256 public key in it');
  return usable.map((key) => ({ kid: thumbprint(key), key }));
}

async function loadPublicKeys(source) {
  if (/^https?:\/\//i.test(source)) {
    // Never the --header values: they are the caller's credentials for the manifest, not for whoever serves keys.
    const response = await fetch(source);
    if (!response.ok) throw new Error(`key download failed: HTTP ${response.status} ${response.statusText}`);
    return parseKeys(await response.text());
  }
  return parseKeys(await readFile(source, 'utf8'));
}

// Returns [passed, line].
function checkSignature(manifest, keys) {
  const signature = manifest.signature;
  if (signature === null || typeof signature !== 'object' || Array.isArray(signature)) {
    return [false, 'FAIL signature: the manifest carries no signature'];
  }
  const { alg, kid, value } = signature;
  if (alg !== SIGNATURE_ALGORITHM) {
    return [false, `FAIL signature: algorithm is ${JSON.stringify(alg ?? null)}, not ${SIGNATURE_ALGORITHM}`];
  }
  if (typeof kid !== 'string' || typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) {
    return [false, 'FAIL signature: no kid or no base64url value'];
  }
  const match = keys.find((k) => k.kid === kid);
  if (!match) {
    return [false, `FAIL signature: signed by key ${kid}, which is not among the ${keys.length} key(s) given (${keys.map((k) => k.kid).join(', ')})`];
  }
  const valid = verifySignature('sha256', signedBytes(manifest), { key: match.key, dsaEncoding: 'ieee-p1363' }, Buffer.from(value, 'base64url'));
  return valid
    ? [true, `PASS signature ${SIGNATURE_ALGORITHM} kid=${kid}`]
    : [false, `FAIL signature: does not match the manifest's content (kid=${kid}): the manifest was altered after signing`];
}

async function readManifest(source, headers) {
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source, { headers });
    if (!response.ok) {
      throw new Error(`manifest download failed: HTTP ${response.status} ${response.statusText}`);
    }
    return await response.text();
  }
  return await readFile(source, 'utf8');
}

// Blob names come from the manifest, which anyone could have handed over: never write outside DIR.
function targetPath(outDir, container, blobName) {
  const root = path.resolve(outDir);
  const target = path.resolve(root, container, ...blobName.split('/'));
  if (!target.startsWith(root + path.sep)) {
    throw new Error('blob name or container escapes the output directory');
  }
  return target;
}

function describeItem(item, index) {
  return typeof item?.blobName === 'string' && item.blobName ? item.blobName : `item #${index + 1}`;
}

async function fetchItem(item, outDir) {
  for (const field of ['container', 'blobName', 'downloadUrl', 'sha256']) {
    if (typeof item?.[field] !== 'string' || item[field] === '') {
      throw new Error(`manifest item has no ${field}`);
    }
  }
  if (!Number.isSafeInteger(item.size) || item.size < 0) {
    throw new Error('manifest item has no valid size');
  }

  const target = targetPath(outDir, item.container, item.blobName);
  const response = await fetch(item.downloadUrl);
  if (!response.ok || !response.body) {
    const expiresAt = Date.parse(item.urlExpiresAt ?? '');
    const expired = !Number.isNaN(expiresAt) && expiresAt <= Date.now() ? ` (link expired at ${item.urlExpiresAt})` : '';
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status} ${response.statusText}${expired}`);
  }

  await mkdir(path.dirname(target), { recursive: true });
  // Written under a temporary name and renamed only once verified, so a file at its real name is proven.
  const partial = target + '.partial';
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body), measure, createWriteStream(partial));
    const sha256 = hash.digest('hex');
    if (size !== item.size) {
      throw new Error(`size ${size} differs from the manifest's ${item.size} (sha256=${sha256})`);
    }
    if (sha256 !== item.sha256.toLowerCase()) {
      throw new Error(`sha256 ${sha256} differs from the manifest's ${item.sha256}`);
    }
    await rename(partial, target);
    return sha256;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) process.stderr.write(`fetch-evidence: ${error.message}\n`);
      process.stderr.write(USAGE + '\n');
      return 2;
    }
    throw error;
  }

  let manifest;
  try {
    manifest = JSON.parse(await readManifest(options.source, options.headers));
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
      throw new Error('manifest is not a JSON object');
    }
  } catch (error) {
    say(`FAIL manifest: ${reason(error)}`);
    say('evidence: 0 passed, 0 failed');
    return 1;
  }

  const computed = documentHash(manifest);
  const manifestIntact = typeof manifest.documentSha256 === 'string' && manifest.documentSha256 === computed;
  if (manifestIntact) {
    say(`PASS manifest documentSha256=${computed}`);
  } else {
    say(`FAIL manifest: documentSha256 is ${JSON.stringify(manifest.documentSha256 ?? null)} but the content hashes to ${computed}`);
  }

  let signatureOk;
  if (options.publicKey === undefined) {
    const kid = typeof manifest.signature?.kid === 'string' ? `it names key ${manifest.signature.kid}` : 'it carries no signature';
    say(`WARN signature: not checked, no --public-key given (${kid}); nothing proves who issued this manifest`);
    signatureOk = true;
  } else {
    let line;
    try {
      [signatureOk, line] = checkSignature(manifest, await loadPublicKeys(options.publicKey));
    } catch (error) {
      [signatureOk, line] = [false, `FAIL signature: cannot read the public key(s) from ${options.publicKey}: ${reason(error)}`];
    }
    say(line);
  }

  // Files are still checked against an altered manifest, to show what else differs; the exit code fails anyway.
  const items = Array.isArray(manifest.items) ? manifest.items : [];
  if (!Array.isArray(manifest.items)) {
    say('FAIL manifest: no items array');
  }
  let passed = 0;
  let failed = 0;
  for (const [index, item] of items.entries()) {
    const name = describeItem(item, index);
    try {
      const sha256 = await fetchItem(item, options.out);
      say(`PASS ${name} sha256=${sha256}`);
      passed++;
    } catch (error) {
      say(`FAIL ${name}: ${reason(error)}`);
      failed++;
    }
  }

  say(`evidence: ${passed} passed, ${failed} failed`);
  return manifestIntact && signatureOk && Array.isArray(manifest.items) && failed === 0 ? 0 : 1;
}

process.exitCode = await main().catch((error) => {
  process.stderr.write(redact(`fetch-evidence: ${error?.stack ?? error}`) + '\n');
  return 1;
});
