// The privacy officer (and admin): data-subject requests answered within 30 days. The queue (overdue first, then by
// due date), opening a request, and a request's page: what matches it, what the subject would be told, choosing what
// to disclose with a reason (a signed, sealed export verified here like evidence), erasure with a dry run first, and
// answering or rejecting. Case numbers of holds never appear here: the subject must not learn of them through us.
import { api } from './api.js';
import {
  announce, append, badge, clear, empty, errorNotice, facts, field, formatBytes, formatTime, h, isoToLocalInput, localInputToIso,
  notice, replace, table, timeEl, utcOffsetLabel,
} from './dom.js';
import { checkFile, checkSeal, checkSignature } from './verify.js';

const DAY = 24 * 3600 * 1000;
const AUDIO = new Set(['wav', 'mp3', 'ogg', 'opus', 'm4a']);
const IMAGE = new Set(['jpg', 'jpeg']);
const TYPE_LABELS = { access: 'Access (a copy)', erasure: 'Erasure' };

// ---- the queue ------------------------------------------------------------------------------------------

export async function renderSubjectRequests(view, params) {
  const status = h('select', { name: 'status' },
    h('option', { value: 'open' }, 'Open'),
    h('option', { value: 'answered' }, 'Answered'),
    h('option', { value: 'rejected' }, 'Rejected'),
    h('option', { value: 'all' }, 'All'));
  status.value = params.get('status') ?? 'open';
  const list = h('div', {});

  append(view,
    h('div', { class: 'page-head' },
      h('h1', {}, 'Data-subject requests'),
      h('a', { class: 'button', href: '#/subject-requests/new' }, 'New request')),
    h('p', { class: 'muted' }, 'Every request must be answered within 30 days of receipt. Overdue requests come first, then by due date.'),
    h('form', { class: 'filters panel', on: { submit: (e) => { e.preventDefault(); load(); } } },
      field('Status', status),
      h('div', { class: 'field' }, h('button', { type: 'submit', class: 'secondary' }, 'Show'))),
    list);
  status.addEventListener('change', () => load());
  await load();

  async function load() {
    window.history.replaceState(null, '', `#/subject-requests?status=${encodeURIComponent(status.value)}`);
    replace(list, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const items = [];
      let token;
      let page;
      do {
        page = await api.subjectRequests({ status: status.value, pageSize: 500, continuationToken: token });
        items.push(...page.items);
        token = page.continuationToken ?? undefined;
      } while (token);
      render(items, page);
    } catch (error) {
      replace(list, errorNotice(error, 'Loading the requests'));
    }
  }

  function render(items, page) {
    clear(list);
    if (page.overdueCount > 0) {
      append(list, notice('bad', `${page.overdueCount} ${page.overdueCount === 1 ? 'request is' : 'requests are'} overdue`,
        'The 30 days allowed to answer have passed. Answer or reject them first.'));
    }
    if (items.length === 0) {
      append(list, empty(status.value === 'open'
        ? 'No open requests. Open one when a person asks to see their data or to have it erased.'
        : 'No requests to show.'));
      announce('No requests shown.');
      return;
    }
    append(list, table(['Due', 'Reference', 'Type', 'Received', 'Identified by', 'Status'],
      items.map((r) => h('tr', { class: r.overdue ? 'row-bad' : null },
        h('td', { class: 'nowrap' }, dueBadge(r, page.now), h('div', { class: 'small muted' }, timeEl(r.dueAt))),
        h('td', { class: 'break' }, h('a', { href: `#/subject-requests/${encodeURIComponent(r.id)}` }, r.reference)),
        h('td', {}, TYPE_LABELS[r.type] ?? r.type),
        h('td', { class: 'nowrap' }, timeEl(r.receivedAt)),
        h('td', { class: 'break small' }, identifiedBy(r)),
        h('td', {}, statusBadge(r)))),
      { caption: 'Data-subject requests, overdue first' }));
    announce(`${items.length} ${items.length === 1 ? 'request' : 'requests'} shown${page.overdueCount ? `, ${page.overdueCount} overdue` : ''}.`);
  }
}

function dueBadge(r, now) {
  if (r.status !== 'open') return badge('neutral', 'Closed');
  const left = Date.parse(r.dueAt) - Date.parse(now ?? new Date().toISOString());
  if (r.overdue) {
    const days = Math.floor(-left / DAY);
    return badge('bad', days < 1 ? 'Overdue' : `Overdue by ${days} ${days === 1 ? 'day' : 'days'}`);
  }
  const days = Math.max(1, Math.ceil(left / DAY));
  return badge(days <= 7 ? 'warn' : 'good', `${days} ${days === 1 ? 'day' : 'days'} left`);
}

function statusBadge(r) {
  return r.status === 'open' ? badge('warn', 'Open') : r.status === 'answered' ? badge('good', 'Answered') : badge('neutral', 'Rejected');
}

function windowText(from, to) {
  return from && to ? `${formatTime(from)} – ${formatTime(to)}` : '';
}

function identifiedBy(r) {
  const parts = [];
  if (r.phone) parts.push(`Phone ${r.phone.number}${r.phone.from ? `, ${windowText(r.phone.from, r.phone.to)}` : ' (all calls)'}`);
  for (const place of r.cctv ?? []) {
    parts.push(`CCTV ${place.site}${place.cameras?.length ? ` (${place.cameras.join(', ')})` : ''}, ${windowText(place.from, place.to)}`);
  }
  return parts.map((p, i) => h('div', { class: i ? 'muted' : null }, p));
}

// ---- opening a request ------------------------------------------------------------------------------------

export async function renderNewSubjectRequest(view) {
  const typeRadios = Object.entries({ access: 'Access: a copy of their data', erasure: 'Erasure: delete their data' })
    .map(([value, label]) => h('label', {}, h('input', { type: 'radio', name: 'type', value, checked: value === 'access' }), label));
  const inputs = {
    receivedAt: h('input', { name: 'receivedAt', type: 'datetime-local', step: '1', value: isoToLocalInput(new Date().toISOString()) }),
    reference: h('input', { name: 'reference', maxlength: '64', autocomplete: 'off', placeholder: 'e.g. DSR-2026-0042' }),
    note: h('textarea', { name: 'note', maxlength: '2000' }),
    phone: h('input', { name: 'phone', type: 'tel', autocomplete: 'off', placeholder: '+47 912 34 567' }),
    phoneFrom: h('input', { name: 'phoneFrom', type: 'datetime-local', step: '1' }),
    phoneTo: h('input', { name: 'phoneTo', type: 'datetime-local', step: '1' }),
  };
  const places = [];
  const placesBox = h('div', {});
  const result = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Open request');
  const addPlaceButton = h('button', { type: 'button', class: 'secondary small', on: { click: () => addPlace() } }, 'Add a CCTV place');

  const form = h('form', { novalidate: true, on: { submit: (event) => { event.preventDefault(); open(); } } },
    h('fieldset', {}, h('legend', {}, 'The request'),
      h('div', { class: 'choices', role: 'radiogroup', 'aria-label': 'Type of request' }, typeRadios),
      h('div', { class: 'form-grid' },
        field('Received', inputs.receivedAt, `(${utcOffsetLabel()}; due 30 days later)`),
        field('Reference', inputs.reference, '(where the identity check is filed)'),
        h('div', { class: 'field wide' }, field('Note', inputs.note, '(optional; not shown to anyone else)')))),
    h('fieldset', {}, h('legend', {}, 'Phone calls'),
      h('p', { class: 'small muted' }, 'Calls where the person is caller or callee. The number is kept only masked and hashed.'),
      h('div', { class: 'form-grid' },
        field('Phone number', inputs.phone),
        field('Calls from', inputs.phoneFrom, `(optional; ${utcOffsetLabel()})`),
        field('Calls until', inputs.phoneTo, '(optional)'))),
    h('fieldset', {}, h('legend', {}, 'CCTV'),
      h('p', { class: 'small muted' }, 'Where and when the person was filmed, and how to recognise them in the footage.'),
      placesBox,
      addPlaceButton),
    h('div', { class: 'actions' }, submit, h('a', { href: '#/subject-requests' }, 'Cancel')),
    result);

  append(view,
    h('p', {}, h('a', { href: '#/subject-requests' }, '← All requests')),
    h('h1', {}, 'New data-subject request'),
    h('p', { class: 'muted' }, 'Verify the person\'s identity first, outside this system; record only your reference to that check here.'),
    h('div', { class: 'panel' }, form));
  addPlace();
  inputs.reference.focus();

  function addPlace() {
    const n = places.length + 1;
    const place = {
      site: h('input', { name: `site${n}`, autocomplete: 'off', placeholder: 'e.g. oslo-1' }),
      cameras: h('input', { name: `cameras${n}`, autocomplete: 'off', placeholder: 'cam-01, cam-02' }),
      from: h('input', { name: `from${n}`, type: 'datetime-local', step: '1' }),
      to: h('input', { name: `to${n}`, type: 'datetime-local', step: '1' }),
      description: h('input', { name: `description${n}`, maxlength: '500', autocomplete: 'off', placeholder: 'e.g. red jacket, grey backpack' }),
    };
    places.push(place);
    append(placesBox, h('div', { class: 'form-grid place' },
      field(`Site ${n}`, place.site),
      field(`Cameras at site ${n}`, place.cameras, '(comma-separated; empty for all)'),
      field(`From (site ${n})`, place.from, `(${utcOffsetLabel()})`),
      field(`To (site ${n})`, place.to, `(${utcOffsetLabel()})`),
      h('div', { class: 'field wide' }, field(`How to recognise the person (site ${n})`, place.description))));
    addPlaceButton.disabled = places.length >= 10;
  }

  function body() {
    const type = typeRadios.map((r) => r.querySelector('input')).find((i) => i.checked)?.value ?? 'access';
    const request = {
      type,
      receivedAt: localInputToIso(inputs.receivedAt.value),
      reference: inputs.reference.value.trim(),
    };
    if (inputs.note.value.trim()) request.note = inputs.note.value.trim();
    if (inputs.phone.value.trim()) {
      request.phone = { number: inputs.phone.value.trim() };
      if (inputs.phoneFrom.value || inputs.phoneTo.value) {
        request.phone.from = localInputToIso(inputs.phoneFrom.value);
        request.phone.to = localInputToIso(inputs.phoneTo.value);
      }
    }
    const cctv = places.filter((p) => p.site.value.trim()).map((p) => {
      const place = { site: p.site.value.trim(), from: localInputToIso(p.from.value), to: localInputToIso(p.to.value) };
      const cameras = p.cameras.value.split(',').map((c) => c.trim()).filter(Boolean);
      if (cameras.length) place.cameras = cameras;
      if (p.description.value.trim()) place.description = p.description.value.trim();
      return place;
    });
    if (cctv.length) request.cctv = cctv;
    return request;
  }

  async function open() {
    submit.disabled = true;
    try {
      const opened = await api.openSubjectRequest(body());
      announce(`Request ${opened.reference} opened; due ${formatTime(opened.dueAt)}.`);
      window.location.hash = `#/subject-requests/${encodeURIComponent(opened.id)}`;
    } catch (error) {
      submit.disabled = false;
      replace(result, errorNotice(error, 'Opening the request'));
    }
  }
}

// ---- one request ------------------------------------------------------------------------------------------

export async function renderSubjectRequest(view, requestId) {
  append(view, h('p', { class: 'muted' }, 'Loading the request and finding what matches it…'));
  let detail;
  try {
    detail = await api.subjectRequest(requestId);
  } catch (error) {
    replace(view, h('h1', {}, 'Data-subject request'), errorNotice(error, 'Loading the request'),
      h('p', {}, h('a', { href: '#/subject-requests' }, 'Back to the requests')));
    return;
  }

  const r = detail.request;
  const open = r.status === 'open';
  const matches = detail.matches.items;
  const selected = new Set();
  const player = h('div', { class: 'player', 'aria-live': 'polite' });
  const actionBox = h('div', {});
  const closeBox = h('div', {});
  const closeResult = h('div', { 'aria-live': 'polite' });
  const reload = () => renderSubjectRequest(clear(view), r.id);

  replace(view,
    h('p', {}, h('a', { href: '#/subject-requests' }, '← All requests')),
    h('div', { class: 'page-head' },
      h('h1', { class: 'break' }, `${r.type === 'erasure' ? 'Erasure' : 'Access'} request ${r.reference}`),
      h('div', { class: 'toolbar' }, statusBadge(r), dueBadge(r, new Date().toISOString()))),
    r.overdue ? notice('bad', 'Overdue', `It was due ${formatTime(r.dueAt)}. Answer or reject it now.`) : null,
    closedNotice(r),
    h('div', { class: 'split' },
      h('section', { class: 'panel', 'aria-labelledby': 'request-facts-title' },
        h('h2', { id: 'request-facts-title' }, 'About this request'),
        facts([
          ['Type', TYPE_LABELS[r.type] ?? r.type],
          ['Reference', r.reference],
          ['Received', timeEl(r.receivedAt)],
          ['Due', timeEl(r.dueAt)],
          ['Opened by', `${r.openedBy}, ${formatTime(r.openedAt)}`],
          ['Phone', r.phone ? `${r.phone.number}${r.phone.from ? `, ${windowText(r.phone.from, r.phone.to)}` : ' (all calls)'}` : null],
          ['CCTV', r.cctv.length ? r.cctv.map((p) => h('div', {},
            `${p.site}${p.cameras?.length ? ` (${p.cameras.join(', ')})` : ''}, ${windowText(p.from, p.to)}`,
            p.description ? h('div', { class: 'small muted' }, `Looking for: ${p.description}`) : null)) : null],
          ['Note', r.note],
          ['Request id', h('span', { class: 'mono' }, r.id)],
        ])),
      h('section', { class: 'panel', 'aria-labelledby': 'told-title' },
        h('h2', { id: 'told-title' }, 'What the person is told'),
        h('p', { class: 'small muted' }, 'Plain language, as in the export. Holds and their case numbers are never named.'),
        detail.summary.lines.map((line) => h('p', {}, line)))),
    h('section', { class: 'panel', 'aria-labelledby': 'matches-title' },
      h('h2', { id: 'matches-title' }, `Recordings that match (${detail.matches.count})`),
      detail.matches.tooMany ? notice('bad', 'Too many recordings match',
        'The details are too broad to be about one person. Reject this request and open one with narrower details.') : null,
      detail.matches.unreadableHolds.length ? notice('bad', 'Hold rows cannot be read',
        `Nothing can be erased while hold rows ${detail.matches.unreadableHolds.join(', ')} cannot be read; ask an administrator.`) : null,
      player,
      matchesTable()),
    h('div', { class: 'split' },
      actionBox,
      h('div', {}, history(), closeBox)));

  if (r.type === 'access') renderDisclosure();
  else renderErasure();
  renderClose();

  function matchesTable() {
    if (matches.length === 0) return empty('Nothing that is kept matches these details.');
    const choosing = open && r.type === 'access';
    return table([choosing ? { text: 'Disclose', class: 'nowrap' } : null, 'Recorded', 'What', 'Recording', 'Retention ends', 'Holds', 'Play'].filter(Boolean),
      matches.map((m) => {
        const box = choosing ? h('input', {
          type: 'checkbox',
          'aria-label': `Disclose ${m.blobName}`,
          on: { change: (e) => { if (e.target.checked) selected.add(m.mediaId); else selected.delete(m.mediaId); updateSelection(); } },
        }) : null;
        return h('tr', { dataset: { mediaId: m.mediaId } },
          choosing ? h('td', {}, box) : null,
          h('td', { class: 'nowrap' }, timeEl(m.recordedAt ?? m.retentionFrom)),
          h('td', { class: 'break' }, describe(m)),
          h('td', { class: 'break small muted' }, m.blobName),
          h('td', { class: 'nowrap' }, timeEl(m.scheduledDeletion)),
          h('td', { class: 'break' }, m.holdIds.length
            ? [badge('warn', 'Kept by a hold'), h('div', { class: 'small mono' }, m.holdIds.join(', '))]
            : h('span', { class: 'muted' }, 'none')),
          h('td', {}, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Play ${m.blobName}`, on: { click: () => play(m) } }, 'Play')));
      }),
      { caption: 'Recordings that match the request' });
  }

  function describe(m) {
    if (m.kind === 'cctv') return `CCTV ${m.site ?? '?'} / ${m.camera ?? '?'}`;
    const numbers = [m.caller, m.callee].filter(Boolean).join(' → ');
    return `Call on ${m.system ?? '?'}${numbers ? `: ${numbers}` : ''}${m.direction ? ` (${m.direction})` : ''}`;
  }

  async function play(m) {
    replace(player, h('p', { class: 'muted' }, 'Getting a playback link…'));
    let link;
    try {
      link = await api.subjectMediumLink(r.id, m.mediaId);
    } catch (error) {
      replace(player, errorNotice(error, 'Getting a playback link'));
      return;
    }
    const ext = m.blobName.includes('.') ? m.blobName.slice(m.blobName.lastIndexOf('.') + 1).toLowerCase() : '';
    const label = `${m.kind === 'call' ? 'Call' : 'Clip'} ${m.blobName}`;
    const element = IMAGE.has(ext)
      ? h('img', { alt: label })
      : h(AUDIO.has(ext) ? 'audio' : 'video', { controls: true, preload: 'metadata', 'aria-label': label });
    element.addEventListener('error', () => {
      replace(player, notice('warn', 'This browser cannot play this file', `Its format (.${ext}) is not one this browser plays.`));
    });
    element.src = link.url;
    replace(player, element, h('p', { class: 'small muted' }, `${label}. This viewing is recorded in the audit log with this request.`));
  }

  function history() {
    if (!detail.exports.length && !detail.erasures.length) return null;
    return h('section', { class: 'panel', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'Done so far'),
      detail.exports.map((x) => h('div', { class: 'small' },
        h('strong', {}, `Export of ${x.mediaIds.length} ${x.mediaIds.length === 1 ? 'recording' : 'recordings'}`),
        ` by ${x.disclosedBy}, ${formatTime(x.disclosedAt)}. Reason: ${x.reason} `,
        h('div', { class: 'hash' }, `seal ${x.documentSha256}`))),
      detail.erasures.map((e) => h('div', { class: 'small' },
        h('strong', {}, `Erasure: ${e.totals.deleted + e.totals.alreadyGone} deleted, ${e.totals.keptByHolds} kept by holds`),
        ` by ${e.totals.executedBy}, ${formatTime(e.totals.executedAt)}`,
        e.totals.notDeleted ? h('div', { class: 'result-fail' }, `${e.totals.notDeleted} not deleted: run the erasure again`) : null)));
  }

  // ---- access: choose, export, verify -------------------------------------------------------------------

  function updateSelection() {
    const count = actionBox.querySelector('[data-role="selected-count"]');
    if (count) count.textContent = `${selected.size} of ${matches.length} selected`;
    for (const row of view.querySelectorAll('tbody tr[data-media-id]')) row.classList.toggle('selected', selected.has(row.dataset.mediaId));
  }

  function renderDisclosure() {
    if (!open || detail.matches.tooMany) return;
    const reason = h('textarea', { name: 'disclosureReason', maxlength: '2000' });
    const result = h('div', { 'aria-live': 'polite' });
    const issue = h('button', { type: 'submit' }, 'Issue export of the selected recordings');
    append(actionBox, h('section', { class: 'panel', 'aria-labelledby': 'disclose-title' },
      h('h2', { id: 'disclose-title' }, 'Disclose'),
      h('p', { class: 'small muted' }, 'Watch or listen, then tick what the person may have. CCTV often shows other people too: say why you chose these. ' +
        'The export holds read-only links, the summary above, and a signature and seal that scripts/fetch-evidence.mjs checks.'),
      h('form', { novalidate: true, on: { submit: (e) => { e.preventDefault(); exportSelected(); } } },
        h('p', { 'data-role': 'selected-count', class: 'small' }, `0 of ${matches.length} selected`),
        field('Why these recordings', reason, '(recorded with the export)'),
        h('div', { class: 'actions' }, issue)),
      result));

    async function exportSelected() {
      issue.disabled = true;
      replace(result, h('p', { class: 'muted' }, 'Issuing links, signing and sealing the export…'));
      let text;
      try {
        text = await api.exportSubjectAccess(r.id, { mediaIds: [...selected], reason: reason.value.trim() });
      } catch (error) {
        issue.disabled = false;
        replace(result, errorNotice(error, 'The export'));
        return;
      }
      const manifest = JSON.parse(text);
      const items = Array.isArray(manifest.items) ? manifest.items : [];
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const verifyBox = h('div', { 'aria-live': 'polite' });
      const verifyButton = h('button', { type: 'button', on: { click: () => verifyExport(manifest, items, verifyBox, verifyButton) } }, 'Verify in this browser');
      replace(result,
        notice('good', `Export issued: ${items.length} ${items.length === 1 ? 'file' : 'files'}`,
          facts([
            ['Links valid until', items[0]?.urlExpiresAt ? timeEl(items[0].urlExpiresAt) : 'no files'],
            ['Seal (documentSha256)', h('span', { class: 'hash' }, manifest.documentSha256 ?? '')],
            ['Signed with', manifest.signature?.kid ? h('span', { class: 'hash' }, `${manifest.signature.alg} key ${manifest.signature.kid}`) : 'not signed'],
          ])),
        h('div', { class: 'actions' },
          h('a', { class: 'button secondary', href: url, download: `subject-access-${r.reference.replaceAll('/', '_')}.json` }, 'Download export'),
          verifyButton),
        verifyBox);
      clear(closeResult); // an earlier "nothing given yet" no longer holds
      announce(`Export issued with ${items.length} files. You can now answer the request.`);
      verifyButton.focus();
    }
  }

  async function verifyExport(manifest, items, box, button) {
    button.disabled = true;
    replace(box, h('p', { class: 'muted' }, 'Checking the seal, the signature and every file…'));
    const seal = await checkSeal(manifest);
    let signature;
    try {
      signature = await checkSignature(manifest, await api.signingKeys());
    } catch (error) {
      signature = { ok: false, reason: `the signing keys could not be read: ${error.detail ?? error.message}` };
    }
    const results = [];
    for (const item of items) results.push({ item, result: await checkFile(item) });
    const failed = results.filter((x) => !x.result.ok).length;
    const ok = seal.intact && signature.ok && failed === 0;
    replace(box, notice(ok ? 'good' : 'bad', ok ? `Verified: seal, signature and all ${items.length} files pass` : 'Verification failed',
      h('div', { class: 'big-status' }, `Seal: ${seal.intact ? 'PASS' : 'FAIL'} · Signature: ${signature.ok ? 'PASS' : 'FAIL'} · Files: ${items.length - failed} passed, ${failed} failed`),
      h('ul', { class: 'small' }, results.map(({ item, result }) => h('li', {},
        h('span', { class: result.ok ? 'result-pass' : 'result-fail' }, result.ok ? 'PASS' : 'FAIL'), ` ${item.blobName} `,
        result.ok ? `(${formatBytes(result.size)})` : `— ${result.reason}`)))));
    announce(ok ? 'The export verifies.' : 'The export does not verify.');
    button.disabled = false;
  }

  // ---- erasure: dry run, then execute -------------------------------------------------------------------

  function renderErasure() {
    if (!open) return;
    const result = h('div', { 'aria-live': 'polite' });
    const dryRun = h('button', { type: 'button', class: 'secondary', on: { click: () => preview() } }, 'Dry run');
    append(actionBox, h('section', { class: 'panel', 'aria-labelledby': 'erase-title' },
      h('h2', { id: 'erase-title' }, 'Erase'),
      h('p', { class: 'small muted' }, 'Deletes every matching recording no hold keeps, with the same checks as the retention sweep: a hold placed meanwhile still wins. ' +
        'Each deletion is recorded in the audit log with this request. Run the dry run first.'),
      h('div', { class: 'actions' }, dryRun),
      result));

    async function preview() {
      dryRun.disabled = true;
      replace(result, h('p', { class: 'muted' }, 'Working out what would be deleted…'));
      let plan;
      try {
        plan = await api.previewErasure(r.id);
      } catch (error) {
        dryRun.disabled = false;
        replace(result, errorNotice(error, 'The dry run'));
        return;
      }
      dryRun.disabled = false;
      const confirmInput = plan.needsConfirmation
        ? h('input', { name: 'confirmCount', inputmode: 'numeric', autocomplete: 'off' })
        : null;
      const erase = h('button', { type: 'button', class: 'danger', disabled: plan.deletionBlocked },
        `Erase ${plan.wouldDelete} ${plan.wouldDelete === 1 ? 'recording' : 'recordings'}`);
      erase.addEventListener('click', () => execute(plan, confirmInput, erase));
      replace(result,
        notice(plan.deletionBlocked ? 'bad' : 'info', `Dry run: ${plan.wouldDelete} would be deleted, ${plan.keptByHolds} kept by holds`,
          plan.deletionBlocked ? h('p', {}, 'Hold rows cannot be read, so nothing can be deleted now; ask an administrator.') : null,
          plan.needsConfirmation ? h('p', {}, `That is more than ${plan.confirmationThreshold}: type the number to confirm.`) : null),
        plan.toDelete.length ? table(['Recorded', 'Recording', { text: 'Size', class: 'num' }],
          plan.toDelete.map((m) => h('tr', {},
            h('td', { class: 'nowrap' }, timeEl(m.recordedAt)),
            h('td', { class: 'break' }, m.blobName),
            h('td', { class: 'num' }, formatBytes(m.size)))),
          { caption: 'Recordings the erasure would delete' }) : null,
        plan.kept.length ? h('div', {}, h('h3', {}, 'Kept by holds (the person is told only that a legal obligation keeps them)'),
          h('ul', { class: 'small' }, plan.kept.map((k) => h('li', {}, `${formatTime(k.recordedAt)} ${k.kind} — hold ${k.holdIds.join(', ') || '(placed just now)'}`)))) : null,
        h('div', { class: 'actions' }, confirmInput ? field('Number of recordings to erase', confirmInput) : null, erase));
      announce(`Dry run: ${plan.wouldDelete} would be deleted, ${plan.keptByHolds} kept by holds.`);
    }

    async function execute(plan, confirmInput, button) {
      let confirmCount;
      if (confirmInput) {
        confirmCount = Number.parseInt(confirmInput.value, 10);
        if (confirmCount !== plan.wouldDelete) {
          append(result, notice('warn', 'Type the number of recordings the dry run showed', `It is ${plan.wouldDelete}.`));
          confirmInput.focus();
          return;
        }
      }
      button.disabled = true;
      try {
        const done = await api.erase(r.id, confirmCount);
        announce(`Erasure done: ${done.deleted + done.alreadyGone} deleted, ${done.keptByHolds} kept by holds.`);
        await reload();
        const head = view.querySelector('.page-head');
        head.after(notice(done.notDeleted ? 'warn' : 'good',
          `Erased: ${done.deleted + done.alreadyGone} deleted, ${done.keptByHolds} kept by holds${done.notDeleted ? `, ${done.notDeleted} not deleted (run it again)` : ''}`,
          h('p', { class: 'small' }, 'What the person is told:'),
          done.subjectSummary.lines.map((line) => h('p', {}, line))));
      } catch (error) {
        button.disabled = false;
        append(result, errorNotice(error, 'The erasure'));
      }
    }
  }

  // ---- answer or reject ---------------------------------------------------------------------------------

  function renderClose() {
    if (!open) return;
    const answer = h('textarea', { name: 'answer', maxlength: '2000' });
    const reason = h('textarea', { name: 'rejectReason', maxlength: '2000' });
    const result = closeResult;
    const answerButton = h('button', { type: 'button', on: { click: () => close('answer') } }, 'Answer and close');
    const rejectButton = h('button', { type: 'button', class: 'danger', on: { click: () => close('reject') } }, 'Reject');
    append(closeBox, h('section', { class: 'panel', 'aria-labelledby': 'close-title' },
      h('h2', { id: 'close-title' }, 'Close the request'),
      field('Answer to the person', answer, r.type === 'access' ? '(after the export)' : '(after the erasure)'),
      h('div', { class: 'actions' }, answerButton),
      field('Or reject, because', reason, '(e.g. identity could not be verified)'),
      h('div', { class: 'actions' }, rejectButton),
      result));

    async function close(how) {
      answerButton.disabled = rejectButton.disabled = true;
      try {
        const closed = how === 'answer'
          ? await api.answerSubjectRequest(r.id, answer.value.trim())
          : await api.rejectSubjectRequest(r.id, reason.value.trim());
        announce(`Request ${closed.reference} ${closed.status}.`);
        await reload();
      } catch (error) {
        answerButton.disabled = rejectButton.disabled = false;
        replace(result, errorNotice(error, how === 'answer' ? 'Answering' : 'Rejecting'));
      }
    }
  }
}

function closedNotice(r) {
  if (r.status === 'answered') {
    return notice('good', `Answered by ${r.answeredBy}, ${formatTime(r.answeredAt)}`, r.answer);
  }
  if (r.status === 'rejected') {
    return notice('info', `Rejected by ${r.rejectedBy}, ${formatTime(r.rejectedAt)}`, r.rejectionReason);
  }
  return null;
}
