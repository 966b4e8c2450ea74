// A hold's evidence: every file with its SHA-256 and a download, the sealed manifest as a download, and
// "verify in this browser", which checks the manifest's seal and downloads and hashes every file.
import { api, untilFinished } from './api.js';
import {
  announce, append, badge, describeScope, empty, errorNotice, facts, formatBytes, h, notice, replace, table, timeEl,
} from './dom.js';
import { checkFile, checkSeal, checkSignature } from './verify.js';

export async function renderEvidence(view, holdId) {
  append(view, h('p', { class: 'muted' }, 'Issuing links and sealing the manifest…'));
  let text;
  let manifest;
  try {
    text = await api.manifestText(holdId);
    manifest = JSON.parse(text);
  } catch (error) {
    replace(view, h('h1', {}, 'Evidence'), errorNotice(error, 'Loading the evidence'), h('p', {}, h('a', { href: '#/holds' }, 'Back to the holds')));
    return;
  }

  const hold = manifest.hold ?? {};
  const items = Array.isArray(manifest.items) ? manifest.items : [];
  const fileName = `evidence-${String(hold.caseNumber ?? 'hold').replaceAll('/', '_')}-${hold.id ?? holdId}.json`;
  const manifestUrl = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const summary = h('div', { id: 'verify-summary', 'aria-live': 'polite' });
  const progressBar = h('div', {});
  const progress = h('div', { class: 'progress', hidden: true, role: 'progressbar', 'aria-label': 'Verification progress', 'aria-valuemin': '0', 'aria-valuemax': String(items.length), 'aria-valuenow': '0' }, progressBar);
  const serverBox = h('div', { 'aria-live': 'polite' });
  const resultCells = new Map();
  const verifyButton = h('button', { type: 'button', on: { click: () => verifyAll() } }, 'Verify in this browser');
  const serverButton = h('button', { type: 'button', class: 'secondary', on: { click: () => verifyOnServer() } }, 'Ask the server to re-check the originals');
  const expiresAt = items[0]?.urlExpiresAt;

  replace(view,
    h('p', {}, h('a', { href: `#/holds/${encodeURIComponent(hold.id ?? holdId)}` }, '← The hold')),
    h('div', { class: 'page-head' },
      h('h1', { class: 'break' }, `Evidence for ${hold.caseNumber ?? holdId}`),
      h('div', { class: 'toolbar' }, hold.status === 'active' ? badge('good', 'Hold active') : badge('neutral', `Hold ${hold.status ?? ''}`))),
    h('section', { class: 'panel', 'aria-labelledby': 'manifest-title' },
      h('h2', { id: 'manifest-title' }, 'Sealed manifest'),
      facts([
        ['Case number', hold.caseNumber],
        ['Agency', hold.agency],
        ['Scope', describeScope(hold.scope)],
        ['Reason', hold.reason],
        ['Files', String(items.length)],
        ['Issued', timeEl(manifest.generatedAt)],
        ['Issued to', manifest.generatedBy],
        ['Links valid until', expiresAt ? timeEl(expiresAt) : null],
        ['Seal (documentSha256)', h('span', { class: 'hash' }, manifest.documentSha256 ?? '')],
        ['Signed with', manifest.signature?.kid ? h('span', { class: 'hash' }, `${manifest.signature.alg} key ${manifest.signature.kid}`) : 'not signed'],
      ]),
      h('p', { class: 'small muted' }, 'Opening this page issued these read-only links and this manifest; both are recorded in the audit log. The seal is also in the audit log, so the authority can confirm this manifest later.'),
      h('div', { class: 'actions' },
        verifyButton,
        h('a', { class: 'button secondary', href: manifestUrl, download: fileName }, 'Download manifest'),
        serverButton,
        h('button', { type: 'button', class: 'secondary', on: { click: () => { URL.revokeObjectURL(manifestUrl); renderEvidence(replace(view), holdId); } } }, 'Reload with fresh links')),
      progress, summary, serverBox),
    h('section', { 'aria-labelledby': 'files-title' },
      h('h2', { id: 'files-title' }, 'Files'),
      items.length === 0
        ? empty('This hold keeps no indexed recordings yet. Window holds also keep recordings uploaded later; come back then.')
        : table(['File', 'Recorded', { text: 'Size', class: 'num' }, 'SHA-256 (from ingest)', 'Download', 'Check'],
          items.map((item, index) => {
            const cell = h('td', { class: 'check' }, h('span', { class: 'muted' }, 'Not checked'));
            resultCells.set(index, cell);
            return h('tr', { dataset: { blobName: String(item.blobName ?? '') } },
              h('td', { class: 'break name' }, String(item.blobName ?? `item ${index + 1}`)),
              h('td', { class: 'nowrap' }, timeEl(item.recordedAt)),
              h('td', { class: 'num' }, formatBytes(item.size)),
              h('td', { class: 'hash' }, String(item.sha256 ?? '')),
              h('td', {}, safeLink(item.downloadUrl)
                ? h('a', { href: item.downloadUrl, target: '_blank', rel: 'noopener noreferrer', download: '', 'aria-label': `Download ${item.blobName}` }, 'Download')
                : ''),
              cell);
          }),
          { caption: 'Files in the manifest' })));

  async function verifyAll() {
    verifyButton.disabled = true;
    progress.hidden = false;
    replace(summary, h('p', { class: 'muted' }, 'Checking the seal and the signature…'));
    const seal = await checkSeal(manifest);
    let signature;
    try {
      signature = await checkSignature(manifest, await api.signingKeys());
    } catch (error) {
      signature = { ok: false, reason: `the service's signing keys could not be read: ${error.detail ?? error.message}` };
    }
    let passed = 0;
    let failed = 0;
    for (const [index, item] of items.entries()) {
      replace(summary, h('p', { class: 'muted' }, `Checking file ${index + 1} of ${items.length}…`));
      replace(resultCells.get(index), h('span', { class: 'muted' }, 'Checking…'));
      const result = await checkFile(item);
      if (result.ok) passed++;
      else failed++;
      replace(resultCells.get(index), result.ok
        ? h('span', { class: 'result-pass' }, 'PASS')
        : [h('span', { class: 'result-fail' }, 'FAIL'), h('div', { class: 'small' }, result.reason),
          result.sha256 ? h('div', { class: 'hash' }, `got ${result.sha256}`) : null]);
      progressBar.style.width = `${Math.round(((index + 1) / items.length) * 100)}%`;
      progress.setAttribute('aria-valuenow', String(index + 1));
    }
    const allGood = seal.intact && signature.ok && failed === 0;
    replace(summary,
      notice(allGood ? 'good' : 'bad',
        allGood ? `Verified: the manifest's seal, its signature and all ${passed} ${passed === 1 ? 'file' : 'files'} pass` : 'Verification failed',
        h('div', { class: 'big-status' },
          `Manifest seal: ${seal.intact ? 'PASS' : 'FAIL'} · Signature: ${signature.ok ? 'PASS' : 'FAIL'} · Files: ${passed} passed, ${failed} failed`),
        h('p', { class: 'small' }, `Signature: ${signature.reason}. `,
          'Checked against the keys this service publishes at /api/evidence/signing-keys; for court, check with keys obtained from the authority (scripts/fetch-evidence.mjs --public-key).'),
        seal.intact ? null : h('p', {}, 'The manifest does not hash to its documentSha256: it was changed after it was sealed. Computed: ',
          h('span', { class: 'hash' }, seal.computed))));
    announce(`Verification finished. Manifest seal ${seal.intact ? 'passes' : 'fails'}, signature ${signature.ok ? 'passes' : 'fails'}. ${passed} files passed, ${failed} failed.`);
    verifyButton.disabled = false;
  }

  async function verifyOnServer() {
    serverButton.disabled = true;
    replace(serverBox, h('p', { class: 'muted' }, 'The server is re-reading the stored originals…'));
    try {
      // The server answers at once with an operation and re-reads in the background; follow it until it is done.
      const operation = await untilFinished(await api.verifyEvidence(hold.id ?? holdId), (o) => replace(serverBox,
        h('p', { class: 'muted', role: 'status' }, o.progress
          ? `The server is re-reading the stored originals… ${o.progress.checked} of ${items.length} checked.`
          : 'The server check is queued; it starts in a moment…')));
      if (operation.status !== 'succeeded') {
        const error = operation.error ?? {};
        replace(serverBox, notice('bad', `The server check failed: ${error.title ?? 'error'}`, h('p', {}, error.detail ?? '')));
        announce('The server check failed.');
        return;
      }
      const result = operation.result;
      replace(serverBox, notice(result.intact ? 'good' : 'bad',
        result.intact ? `Server check: all ${result.checked} stored originals match their ingest hash` : 'Server check: stored originals differ',
        result.altered.length ? h('p', {}, `Altered: ${result.altered.map((a) => a.blobName).join(', ')}`) : null,
        result.missing.length ? h('p', {}, `Missing: ${result.missing.map((m) => m.blobName).join(', ')}`) : null));
      announce(result.intact ? 'Server check passed.' : 'Server check found altered or missing files.');
    } catch (error) {
      replace(serverBox, errorNotice(error, 'The server check'));
    } finally {
      serverButton.disabled = false;
    }
  }
}

// Links come from the manifest: only http(s) URLs become links (never javascript: or data:).
function safeLink(url) {
  try {
    return typeof url === 'string' && ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
