// Holds: the list (police see their own agency's holds only: the API filters), one hold with what it covers and its
// release, placing a hold of any scope with a preview of what it would cover before it is placed, and the queue of
// police preservation requests that security or an admin approves (optionally narrowed) or rejects. A police request
// preserves at once but shows the police nothing of what it covers until it is approved. A hold covering many
// recordings is in force at once; marking its recordings held goes on in the background, and its page follows that.
import { api, nextItems, session, untilFinished } from './api.js';
import {
  announce, append, badge, clear, describeScope, empty, errorNotice, facts, field, formatBytes, h, isoToLocalInput, localInputToIso, notice, notYet, replace, table, timeEl, utcOffsetLabel,
} from './dom.js';
import { can } from './roles.js';

export async function renderHoldList(view, params) {
  const police = session.me.role === 'police';
  const status = h('select', { name: 'status' },
    h('option', { value: 'active' }, 'Active'),
    h('option', { value: 'requested' }, 'Requested (awaiting review)'),
    h('option', { value: 'rejected' }, 'Rejected'),
    h('option', { value: 'released' }, 'Released'),
    h('option', { value: 'all' }, 'All'));
  // A liaison's holds start as requests: show them all by default.
  status.value = params.get('status') ?? (police ? 'all' : 'active');
  const list = h('div', {});

  append(view,
    h('div', { class: 'page-head' },
      h('h1', {}, police ? `Holds of ${session.me.agency}` : 'Legal holds'),
      can('placeHold') ? h('a', { class: 'button', href: '#/holds/new' }, police ? 'Request preservation' : 'Place a hold') : null),
    police ? h('p', { class: 'muted' }, 'Only your agency\'s holds are listed. A request preserves the footage at once; its recordings and evidence are shown once security has approved it.') : null,
    h('form', { class: 'filters panel', on: { submit: (e) => { e.preventDefault(); load(); } } },
      field('Status', status),
      h('div', { class: 'field' }, h('button', { type: 'submit', class: 'secondary' }, 'Show'))),
    list);

  let items = [];
  let token = null;
  status.addEventListener('change', () => load());
  await load();

  async function load(more = false) {
    if (!more) {
      items = [];
      token = null;
      window.history.replaceState(null, '', `#/holds?status=${encodeURIComponent(status.value)}`);
      replace(list, h('p', { class: 'muted' }, 'Loading…'));
    }
    try {
      const page = await nextItems((next) => api.holds({ status: status.value, pageSize: 100, continuationToken: next }), token);
      items.push(...page.items);
      token = page.token;
      render();
      announce(`${items.length} ${items.length === 1 ? 'hold' : 'holds'} shown.`);
    } catch (error) {
      replace(list, errorNotice(error, 'Loading holds'));
    }
  }

  function render() {
    clear(list);
    if (items.length === 0 && token) {
      append(list, notYet('holds', () => load(true)));
      return;
    }
    if (items.length === 0) {
      append(list, empty(status.value === 'active'
        ? 'No active holds. A hold keeps recordings from being deleted; place one when a police report names footage or calls.'
        : 'No holds to show.'));
      return;
    }
    append(list, table(['Case', 'Scope', 'Requested by', 'Placed', 'Status', ''],
      items.map((hold) => h('tr', {},
        h('td', { class: 'break' }, h('a', { href: `#/holds/${encodeURIComponent(hold.id)}` }, hold.caseNumber)),
        h('td', { class: 'break' }, describeScope(hold.scope)),
        h('td', { class: 'break' }, `${hold.requestedBy.officer} (${hold.requestedBy.agency})`),
        h('td', { class: 'nowrap' }, timeEl(hold.placedAt), h('div', { class: 'small muted break' }, `by ${hold.placedBy}`)),
        h('td', {}, holdBadge(hold)),
        h('td', {}, hold.status === 'active'
          ? h('a', { class: 'button secondary small', href: `#/evidence/${encodeURIComponent(hold.id)}`, 'aria-label': `Evidence for ${hold.caseNumber}` }, 'Evidence')
          : null))),
      { caption: 'Holds' }));
    if (token) {
      append(list, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', on: { click: () => load(true) } }, 'Load more')));
    }
  }
}

function holdBadge(hold) {
  switch (hold.status) {
    case 'active': return badge('good', 'Active');
    case 'requested': return badge('warn', 'Requested · awaiting review');
    case 'rejected': return badge('bad', 'Rejected');
    default: return badge('neutral', 'Released');
  }
}

/** The queue of police preservation requests, oldest first, for security and admin to review. */
export async function renderRequests(view) {
  const list = h('div', {});
  append(view,
    h('div', { class: 'page-head' }, h('h1', {}, 'Preservation requests')),
    h('p', { class: 'muted' }, 'Police liaisons request preservation; nothing a request covers is deleted from the moment it is stored. Review each one, oldest first: approve it as asked or narrowed to what the case needs, or reject it with a reason. Until then the police see only its status.'),
    list);
  let items = [];
  let token = null;
  await load();

  async function load(more = false) {
    if (!more) {
      token = null;
      replace(list, h('p', { class: 'muted' }, 'Loading…'));
    }
    try {
      const page = await nextItems((next) => api.holds({ status: 'requested', pageSize: 100, continuationToken: next }), token);
      items = more ? items.concat(page.items) : page.items;
      token = page.token;
      render();
      announce(`${items.length} ${items.length === 1 ? 'request' : 'requests'} waiting for review.`);
    } catch (error) {
      replace(list, errorNotice(error, 'Loading the requests'));
    }
  }

  function render() {
    clear(list);
    if (items.length === 0 && token) {
      append(list, notYet('requests', () => load(true)));
      return;
    }
    if (items.length === 0) {
      append(list, empty('No request is waiting for review. New police requests appear here, oldest first.'));
      return;
    }
    append(list, table(['Requested', 'Case', 'Agency and officer', 'What to preserve', 'Reason', ''],
      items.map((hold) => h('tr', {},
        h('td', { class: 'nowrap' }, timeEl(hold.placedAt)),
        h('td', { class: 'break' }, hold.caseNumber),
        h('td', { class: 'break' }, `${hold.agency} · ${hold.requestedBy.officer}`),
        h('td', { class: 'break' }, describeScope(hold.scope)),
        h('td', { class: 'break' }, hold.reason),
        h('td', {}, h('a', { class: 'button small', href: `#/holds/${encodeURIComponent(hold.id)}`, 'aria-label': `Review ${hold.caseNumber}` }, 'Review')))),
      { caption: 'Preservation requests waiting for review, oldest first' }));
    if (token) {
      append(list, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', on: { click: () => load(true) } }, 'Load more')));
    }
  }
}

function markingRuns(marked) {
  return notice('info', 'Marking continues in the background',
    `This hold is in force now: retention keeps everything it covers. Its recordings are being marked held as well${marked != null ? ` (${marked} so far)` : ''}; you may leave this page.`);
}

function markingFailed() {
  return notice('warn', 'Background marking did not finish',
    'The hold is in force all the same: retention reads the holds and keeps everything this one covers. The server log says why marking stopped.');
}

function describeMarking(marking) {
  switch (marking.state) {
    case 'complete': return marking.markedMedia != null ? `complete (${marking.markedMedia} recordings)` : 'complete';
    case 'inProgress': return 'in progress, in the background';
    case 'stopped': return 'stopped (the hold changed first)';
    default: return 'did not finish (the hold is in force all the same)';
  }
}

export async function renderHoldDetail(view, holdId) {
  append(view, h('p', { class: 'muted' }, 'Loading the hold…'));
  let detail;
  try {
    detail = await api.hold(holdId, { pageSize: 100 });
  } catch (error) {
    replace(view, h('h1', {}, 'Hold'), errorNotice(error, 'Loading the hold'), h('p', {}, h('a', { href: '#/holds' }, 'Back to the holds')));
    return;
  }
  const { hold } = detail;
  const covered = h('div', {});
  const releaseBox = h('div', {});
  const reviewBox = h('div', {});
  const markingBox = h('div', { 'aria-live': 'polite' });
  const markingFact = h('span', {}, detail.marking ? describeMarking(detail.marking) : '');

  replace(view,
    h('p', {}, h('a', { href: '#/holds' }, '← All holds')),
    h('div', { class: 'page-head' },
      h('h1', { class: 'break' }, `Hold ${hold.caseNumber}`),
      h('div', { class: 'toolbar' },
        holdBadge(hold),
        hold.status === 'active' ? h('a', { class: 'button', href: `#/evidence/${encodeURIComponent(hold.id)}` }, 'Evidence and verification') : null)),
    reviewBox,
    markingBox,
    h('div', { class: 'split' },
      h('section', { class: 'panel', 'aria-labelledby': 'covered-title' }, h('h2', { id: 'covered-title' }, 'Recordings it keeps'), covered),
      h('section', { class: 'panel', 'aria-labelledby': 'hold-facts-title' },
        h('h2', { id: 'hold-facts-title' }, 'About this hold'),
        facts([
          ['Case number', hold.caseNumber],
          ['Reason', hold.reason],
          ['Scope', describeScope(hold.scope)],
          ['Requested by', `${hold.requestedBy.officer}, ${hold.requestedBy.agency}`],
          ['Agency', hold.agency],
          ['Placed by', hold.placedBy],
          ['Placed', timeEl(hold.placedAt)],
          ['Review by', hold.reviewDate ? timeEl(hold.reviewDate) : null],
          ['Status', hold.status],
          ['Marking', detail.marking ? markingFact : null],
          ['Reviewed', hold.review ? `${hold.review.decision} by ${hold.review.reviewedBy}` : null],
          ['Reviewed at', hold.review ? timeEl(hold.review.reviewedAt) : null],
          ['Review reason', hold.review?.reason],
          ['Requested scope', hold.requestedScope ? describeScope(hold.requestedScope) : null],
          ['Released by', hold.release?.releasedBy],
          ['Released', hold.release ? timeEl(hold.release.releasedAt) : null],
          ['Release reason', hold.release?.reason],
          ['Hold id', h('span', { class: 'mono' }, hold.id)],
        ]),
        releaseBox)));

  let items = detail.coveredMedia?.items ?? [];
  let token = detail.coveredMedia?.continuationToken ?? null;
  renderRelease();
  renderReview();
  followMarking();
  if (items.length === 0 && token) {
    await loadMoreCovered();
  } else {
    renderCovered();
  }

  // A large hold answers at once and marks its recordings in the background: follow that operation while it runs.
  async function followMarking() {
    const marking = detail.marking;
    if (marking?.state === 'failed') {
      replace(markingBox, markingFailed());
      return;
    }
    if (marking?.state !== 'inProgress' || !marking.operationId) return;
    replace(markingBox, markingRuns(marking.markedMedia));
    try {
      const operation = await untilFinished(await api.operation(marking.operationId),
        (o) => replace(markingBox, markingRuns(o.progress?.marked ?? marking.markedMedia)));
      const result = operation.result ?? {};
      replace(markingFact, describeMarking(operation.status === 'succeeded'
        ? { state: result.state, markedMedia: result.marked } : { state: 'failed' }));
      if (operation.status !== 'succeeded') {
        replace(markingBox, markingFailed());
      } else if (result.state === 'complete') {
        replace(markingBox, notice('good', 'Marking complete', `All ${result.marked} recordings this hold covers are marked held.`));
        announce(`Hold ${hold.caseNumber}: marking complete, ${result.marked} recordings.`);
      } else {
        replace(markingBox, notice('info', 'Marking stopped', `${result.stoppedReason ?? 'The hold changed'} before every recording was marked.`));
      }
    } catch (error) {
      replace(markingBox, errorNotice(error, 'Following the marking'));
    }
  }

  async function loadMoreCovered() {
    try {
      const page = await nextItems(
        async (next) => (await api.hold(hold.id, { pageSize: 100, continuationToken: next })).coveredMedia, token);
      items = items.concat(page.items);
      token = page.token;
      renderCovered();
    } catch (error) {
      append(covered, errorNotice(error, 'Loading more recordings'));
    }
  }

  function renderCovered() {
    clear(covered);
    if (!detail.coveredMedia) {
      append(covered, hold.status === 'rejected'
        ? notice('bad', 'Request rejected', hold.review?.reason ?? '', ' Nothing is preserved for it.')
        : notice('info', 'Waiting for review', 'Nothing this request covers is deleted meanwhile. What it covers and its evidence are shown here once security approves it.'));
      return;
    }
    if (items.length === 0 && token) {
      append(covered, notYet('recordings', () => loadMoreCovered()));
      return;
    }
    if (items.length === 0) {
      append(covered, empty(hold.scope.from
        ? 'Nothing recorded in this window is indexed yet. Recordings uploaded later whose time falls in the window are kept too.'
        : 'No indexed recording matches this hold.'));
      return;
    }
    append(covered, table(['Recorded', 'Name', { text: 'Size', class: 'num' }, 'SHA-256'],
      items.map((m) => h('tr', {},
        h('td', { class: 'nowrap' }, timeEl(m.recordedAt ?? m.uploadedAt)),
        h('td', { class: 'break' }, m.blobName),
        h('td', { class: 'num' }, formatBytes(m.size)),
        h('td', { class: 'hash' }, m.sha256))),
      { caption: 'Recordings kept by this hold' }));
    if (token) {
      append(covered, h('div', { class: 'actions' }, h('button', {
        type: 'button',
        class: 'secondary',
        on: { click: () => loadMoreCovered() },
      }, 'Load more')));
    }
  }

  function renderReview() {
    clear(reviewBox);
    if (hold.status !== 'requested' || !can('reviewHold')) return;
    const type = hold.scope.type;
    const reason = h('textarea', { name: 'reviewReason', required: true, maxlength: '2000' });
    const narrow = h('input', { type: 'checkbox', name: 'narrow' });
    const inputs = {
      from: h('input', { name: 'narrowFrom', type: 'datetime-local', step: '1', value: hold.scope.from ? isoToLocalInput(hold.scope.from) : '' }),
      to: h('input', { name: 'narrowTo', type: 'datetime-local', step: '1', value: hold.scope.to ? isoToLocalInput(hold.scope.to) : '' }),
      cameras: h('input', { name: 'narrowCameras', autocomplete: 'off', value: (hold.scope.cameras ?? []).join(', ') }),
      mediaIds: h('textarea', { name: 'narrowMediaIds' }, (hold.scope.mediaIds ?? []).join('\n')),
    };
    const narrowFields = h('div', { class: 'form-grid', hidden: true },
      hold.scope.from ? [field('From', inputs.from, `(${utcOffsetLabel()}; not before the requested start)`), field('To', inputs.to, `(${utcOffsetLabel()}; not after the requested end)`)] : [],
      type === 'cctv' ? field('Cameras', inputs.cameras, '(comma-separated; some of the requested ones)') : null,
      type === 'media' ? h('div', { class: 'field wide' }, field('Recording ids', inputs.mediaIds, '(some of the requested ones)')) : null);
    narrow.addEventListener('change', () => { narrowFields.hidden = !narrow.checked; });
    const result = h('div', { 'aria-live': 'polite' });
    const approveButton = h('button', { type: 'button', on: { click: () => decide('approve') } }, 'Approve request');
    const rejectButton = h('button', { type: 'button', class: 'danger', on: { click: () => decide('reject') } }, 'Reject request');
    const canNarrow = ['cctv', 'system', 'phone', 'media'].includes(type);

    function narrowedScope() {
      if (!narrow.checked) return undefined;
      const scope = { type };
      if (type === 'cctv') {
        scope.site = hold.scope.site;
        const cameras = inputs.cameras.value.split(',').map((c) => c.trim()).filter(Boolean);
        if (cameras.length) scope.cameras = cameras;
      }
      if (type === 'system') scope.system = hold.scope.system;
      if (type === 'media') scope.mediaIds = inputs.mediaIds.value.split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);
      if (hold.scope.from) {
        scope.from = localInputToIso(inputs.from.value);
        scope.to = localInputToIso(inputs.to.value);
      }
      return scope;
    }

    async function decide(action) {
      if (!reason.value.trim()) {
        replace(result, notice('warn', 'A reason is required', action === 'approve'
          ? 'Say why the footage is disclosed, e.g. "The entrance camera shows the reported incident".'
          : 'Say why the request is refused, e.g. "No connection between the case and this site".'));
        reason.focus();
        return;
      }
      approveButton.disabled = true;
      rejectButton.disabled = true;
      try {
        const reviewed = action === 'approve'
          ? await api.approveHold(hold.id, reason.value.trim(), narrowedScope())
          : await api.rejectHold(hold.id, reason.value.trim());
        announce(`Request ${reviewed.hold.caseNumber} ${action === 'approve' ? 'approved' : 'rejected'}.`);
        await renderHoldDetail(clear(view), hold.id);
        append(view.querySelector('.page-head'), action === 'approve'
          ? notice('good', 'Request approved', reviewed.marking?.state === 'inProgress'
            ? 'It is an active hold now; marking its recordings continues in the background.'
            : `It is an active hold and keeps ${reviewed.coveredMedia ?? 0} recordings now.`, ...(reviewed.warnings ?? []).map((w) => h('div', {}, w)))
          : notice('good', 'Request rejected', 'It preserves nothing from now on; the liaison sees your reason.'));
      } catch (error) {
        approveButton.disabled = false;
        rejectButton.disabled = false;
        replace(result, errorNotice(error, action === 'approve' ? 'Approving the request' : 'Rejecting the request'));
      }
    }

    append(reviewBox, h('section', { class: 'panel', 'aria-labelledby': 'review-title' },
      h('h2', { id: 'review-title' }, 'Review this request'),
      h('p', { class: 'small muted' }, `Requested by ${hold.requestedBy.officer} (${hold.agency}). It preserves what it covers until you decide. Approve it as asked, or narrow it to what the case needs; reject it if the company does not disclose this footage. Your decision and reason are recorded in the audit log and shown to the liaison.`),
      h('form', { novalidate: true, on: { submit: (event) => event.preventDefault() } },
        field('Reason for your decision', reason),
        canNarrow ? h('label', { class: 'check' }, narrow, ' Narrow the scope before approving') : null,
        canNarrow ? narrowFields : null,
        h('div', { class: 'actions' }, approveButton, rejectButton),
        result)));
  }

  function renderRelease() {
    clear(releaseBox);
    if (hold.status !== 'active' || !can('releaseHold')) return;
    const reason = h('textarea', { name: 'reason', required: true, maxlength: '2000' });
    const result = h('div', { 'aria-live': 'polite' });
    const confirm = h('button', { type: 'submit', class: 'danger' }, 'Release this hold');
    const form = h('form', {
      novalidate: true,
      on: {
        submit: async (event) => {
          event.preventDefault();
          if (!reason.value.trim()) {
            replace(result, notice('warn', 'A reason is required', 'Say why the footage no longer needs to be kept, e.g. "Case closed by the prosecutor".'));
            reason.focus();
            return;
          }
          confirm.disabled = true;
          try {
            const released = await api.releaseHold(hold.id, reason.value.trim());
            announce(`Hold ${released.caseNumber} released.`);
            await renderHoldDetail(clear(view), hold.id);
            append(view.querySelector('.page-head'), notice('good', 'Hold released', 'Its recordings now follow normal retention unless another hold keeps them.'));
          } catch (error) {
            confirm.disabled = false;
            replace(result, errorNotice(error, 'Releasing the hold'));
          }
        },
      },
    },
    h('h3', {}, 'Release'),
    h('p', { class: 'small muted' }, 'Releasing lets retention delete these recordings once no other hold keeps them. It cannot be undone, and it is recorded in the audit log.'),
    field('Reason for release', reason),
    h('div', { class: 'actions' }, confirm),
    result);
    append(releaseBox, form);
  }
}

const SCOPES = [
  ['cctv', 'CCTV of a site in a time window'],
  ['system', 'Calls of a phone system in a time window'],
  ['phone', 'Calls with a phone number in a time window'],
  ['call', 'One call (by call id)'],
  ['media', 'Listed recordings (by id)'],
];

export async function renderNewHold(view, params) {
  const police = session.me.role === 'police';
  const inputs = {
    caseNumber: h('input', { name: 'caseNumber', required: true, maxlength: '64', autocomplete: 'off', placeholder: 'e.g. OPD-2026-4711' }),
    reason: h('textarea', { name: 'reason', required: true, maxlength: '2000' }),
    agency: h('input', { name: 'agency', required: true, maxlength: '64', autocomplete: 'off', value: police ? session.me.agency : '', readonly: police }),
    officer: h('input', { name: 'officer', required: true, maxlength: '128', autocomplete: 'off' }),
    reviewDate: h('input', { name: 'reviewDate', type: 'datetime-local' }),
    site: h('input', { name: 'site', autocomplete: 'off' }),
    cameras: h('input', { name: 'cameras', autocomplete: 'off', placeholder: 'cam-01, cam-02' }),
    system: h('input', { name: 'system', autocomplete: 'off' }),
    phoneNumber: h('input', { name: 'phoneNumber', type: 'tel', autocomplete: 'off' }),
    callId: h('input', { name: 'callId', autocomplete: 'off' }),
    mediaIds: h('textarea', { name: 'mediaIds', placeholder: 'One id per line' }),
    from: h('input', { name: 'from', type: 'datetime-local', step: '1' }),
    to: h('input', { name: 'to', type: 'datetime-local', step: '1' }),
  };
  const scopeRadios = SCOPES.map(([value, label]) => h('label', {},
    h('input', { type: 'radio', name: 'scopeType', value }), label));
  const initialMedia = params.get('media');
  const initialType = initialMedia ? 'media' : (params.get('type') ?? 'cctv');
  for (const radio of scopeRadios) radio.querySelector('input').checked = radio.querySelector('input').value === initialType;
  if (initialMedia) inputs.mediaIds.value = initialMedia;

  const scopeFields = {
    cctv: [field('Site', inputs.site), field('Cameras', inputs.cameras, '(comma-separated; empty for all cameras)')],
    system: [field('Phone system', inputs.system)],
    phone: [field('Phone number', inputs.phoneNumber, '(stored only hashed and masked)')],
    call: [field('Call id', inputs.callId)],
    media: [h('div', { class: 'field wide' }, field('Recording ids', inputs.mediaIds, '(32 hex characters each)'))],
  };
  const windowFields = [field('From', inputs.from, `(${utcOffsetLabel()})`), field('To', inputs.to, `(${utcOffsetLabel()})`)];
  const scopeBox = h('div', { class: 'form-grid' });
  const previewBox = h('div', { 'aria-live': 'polite' });
  const resultBox = h('div', { 'aria-live': 'polite' });
  const previewButton = h('button', { type: 'button', class: 'secondary', on: { click: () => preview() } }, police ? 'Check the request' : 'Preview what it covers');
  const placeButton = h('button', { type: 'submit', disabled: true }, police ? 'Request preservation' : 'Place hold');
  let previewed = null; // the JSON body the current preview was made for

  // novalidate: the API checks every field and its answer names the one to fix.
  const form = h('form', { novalidate: true, on: { submit: (event) => { event.preventDefault(); place(); }, input: invalidate, change: invalidate } },
    h('fieldset', {}, h('legend', {}, 'The request'),
      h('div', { class: 'form-grid' },
        field('Case number', inputs.caseNumber, '(police report reference)'),
        field('Requesting agency', inputs.agency),
        field('Requesting officer', inputs.officer),
        field('Review by', inputs.reviewDate, '(optional)'),
        h('div', { class: 'field wide' }, field('Reason', inputs.reason)))),
    h('fieldset', {}, h('legend', {}, 'What to keep'),
      h('div', { class: 'choices', role: 'radiogroup', 'aria-label': 'Scope' }, scopeRadios),
      scopeBox),
    h('div', { class: 'actions' }, previewButton, placeButton,
      h('span', { class: 'small muted' }, police ? 'Check first: the request is sent exactly as checked.' : 'Preview first: the hold is placed exactly as previewed.')),
    previewBox, resultBox);

  append(view,
    h('h1', {}, police ? `Request preservation for ${session.me.agency}` : 'Place a legal hold'),
    h('p', { class: 'muted' }, police
      ? 'A request keeps every recording it covers from deletion from the moment it is sent. Security reviews it: once approved (possibly narrowed), its recordings and evidence are shown to you.'
      : 'A hold keeps every recording it covers from deletion until it is released. Window holds also keep recordings uploaded later whose recording time falls in the window.'),
    h('div', { class: 'panel' }, form));
  for (const radio of scopeRadios) radio.querySelector('input').addEventListener('change', renderScopeFields);
  renderScopeFields();

  function scopeType() {
    return scopeRadios.map((r) => r.querySelector('input')).find((i) => i.checked)?.value ?? 'cctv';
  }

  function renderScopeFields() {
    const type = scopeType();
    replace(scopeBox, scopeFields[type], ['cctv', 'system', 'phone'].includes(type) ? windowFields : []);
  }

  function invalidate() {
    if (previewed !== null && JSON.stringify(body()) !== previewed) {
      previewed = null;
      placeButton.disabled = true;
      replace(previewBox, notice('info', 'The form changed', 'Preview again before placing the hold.'));
    }
  }

  function body() {
    const type = scopeType();
    const scope = { type };
    if (type === 'cctv') {
      scope.site = inputs.site.value.trim();
      const cameras = inputs.cameras.value.split(',').map((c) => c.trim()).filter(Boolean);
      if (cameras.length) scope.cameras = cameras;
    }
    if (type === 'system') scope.system = inputs.system.value.trim();
    if (type === 'phone') scope.phoneNumber = inputs.phoneNumber.value.trim();
    if (type === 'call') scope.callId = inputs.callId.value.trim();
    if (type === 'media') scope.mediaIds = inputs.mediaIds.value.split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);
    if (['cctv', 'system', 'phone'].includes(type)) {
      scope.from = localInputToIso(inputs.from.value);
      scope.to = localInputToIso(inputs.to.value);
    }
    return {
      caseNumber: inputs.caseNumber.value.trim(),
      reason: inputs.reason.value.trim(),
      requestedBy: { agency: inputs.agency.value.trim(), officer: inputs.officer.value.trim() },
      reviewDate: localInputToIso(inputs.reviewDate.value),
      scope,
    };
  }

  async function preview() {
    const request = body();
    replace(previewBox, h('p', { class: 'muted' }, 'Checking what the hold would cover…'));
    previewButton.disabled = true;
    try {
      const result = await api.previewHold(request);
      previewed = JSON.stringify(request);
      placeButton.disabled = false;
      if (result.coveredMedia === null || result.coveredMedia === undefined) {
        replace(previewBox, notice('info', 'The request is complete', describeScope(result.scope),
          ' — security sees what it covers when reviewing it.'));
        announce('The request is complete. Request preservation is now available.');
        return;
      }
      const count = `${result.atLeast ? 'at least ' : ''}${result.coveredMedia}`;
      replace(previewBox,
        notice(result.coveredMedia > 0 ? 'info' : 'warn',
          `This hold would keep ${count} ${result.coveredMedia === 1 ? 'recording' : 'recordings'} now`,
          describeScope(result.scope),
          result.coveredMedia === 0 && request.scope.from ? ' — nothing indexed yet; recordings uploaded later in the window will be kept.' : ''),
        result.items?.length
          ? table(['Recorded', 'Name', { text: 'Size', class: 'num' }],
            result.items.map((m) => h('tr', {},
              h('td', { class: 'nowrap' }, timeEl(m.recordedAt ?? m.uploadedAt)),
              h('td', { class: 'break' }, m.blobName),
              h('td', { class: 'num' }, formatBytes(m.size)))),
            { caption: 'Recordings the hold would keep' })
          : null,
        result.items && result.items.length < result.coveredMedia ? h('p', { class: 'small muted' }, `The first ${result.items.length} are listed.`) : null);
      announce(`Preview: the hold would keep ${count} recordings. Place hold is now available.`);
    } catch (error) {
      previewed = null;
      placeButton.disabled = true;
      replace(previewBox, errorNotice(error, 'Preview'));
      announce(`Preview failed: ${error.detail ?? error.message}`);
    } finally {
      previewButton.disabled = false;
    }
  }

  // One key per previewed body: clicking Place again after a lost answer gets the hold already placed, not a second one.
  let placeKey = null;
  let placeKeyBody = null;

  async function place() {
    const request = body();
    if (previewed === null || JSON.stringify(request) !== previewed) {
      replace(resultBox, notice('warn', 'Preview first', 'Preview the hold so you can see what it keeps before placing it.'));
      return;
    }
    placeButton.disabled = true;
    if (placeKeyBody !== previewed) {
      placeKey = globalThis.crypto?.randomUUID?.() ?? null;
      placeKeyBody = previewed;
    }
    try {
      const placed = await api.placeHold(request, placeKey);
      const link = `#/holds/${encodeURIComponent(placed.hold.id)}`;
      if (placed.hold.status === 'requested') {
        announce(`Request ${placed.hold.caseNumber} sent; security reviews it.`);
        window.location.hash = link;
        return;
      }
      if (placed.marking?.state === 'inProgress') {
        // Placed and in force; its page follows the marking of the rest in the background.
        announce(`Hold ${placed.hold.caseNumber} placed; marking its recordings continues in the background.`);
        window.location.hash = link;
        return;
      }
      announce(`Hold ${placed.hold.caseNumber} placed; it keeps ${placed.coveredMedia} recordings.`);
      if (placed.warnings?.length) {
        // Say it before moving on: a hold that covers nothing may name the wrong number or window.
        replace(resultBox, notice('warn', `Hold ${placed.hold.caseNumber} placed, but:`, ...placed.warnings.map((w) => h('div', {}, w)),
          h('div', {}, h('a', { href: link }, 'Open the hold'))));
        return;
      }
      window.location.hash = link;
    } catch (error) {
      placeButton.disabled = false;
      replace(resultBox, errorNotice(error, 'Placing the hold'));
    }
  }

  if (initialMedia) inputs.caseNumber.focus();
}

