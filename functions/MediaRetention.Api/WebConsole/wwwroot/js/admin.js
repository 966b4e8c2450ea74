// Administrators: what retention will delete and what holds keep, a sweep on demand with its summary, and the
// audit log with its chain verification shown first.
import { api, nextItems, untilFinished } from './api.js';
import {
  announce, append, badge, clear, empty, errorNotice, facts, field, formatBytes, h, localInputToIso, notice, notYet,
  replace, table, timeEl, utcOffsetLabel,
} from './dom.js';

const PREVIEW_LIMIT = 200;

export async function renderRetention(view) {
  const chain = h('div', { 'aria-live': 'polite' });
  const previewBox = h('div', {});
  const sweepBox = h('div', { 'aria-live': 'polite' });
  const previewButton = h('button', { type: 'button', class: 'secondary', on: { click: () => loadPreview() } }, 'Refresh preview');
  const sweepButton = h('button', { type: 'button', on: { click: () => sweep() } }, 'Sweep now');

  append(view,
    h('h1', {}, 'Retention'),
    chain,
    h('section', { class: 'panel', 'aria-labelledby': 'sweep-title' },
      h('h2', { id: 'sweep-title' }, 'Sweep'),
      h('p', { class: 'muted' }, 'A sweep deletes every expired recording no hold keeps. It also runs on its schedule; running it now changes nothing about what may be deleted.'),
      h('div', { class: 'actions' }, sweepButton, previewButton),
      sweepBox),
    h('section', { class: 'panel', 'aria-labelledby': 'preview-title' },
      h('h2', { id: 'preview-title' }, 'What the next sweep would do'),
      previewBox));

  await Promise.all([renderChain(chain), loadPreview()]);

  async function loadPreview() {
    replace(previewBox, h('p', { class: 'muted' }, 'Working out what has expired…'));
    try {
      const preview = await api.retentionPreview(PREVIEW_LIMIT);
      renderPreview(preview);
    } catch (error) {
      replace(previewBox, errorNotice(error, 'The retention preview'));
    }
  }

  function renderPreview(p) {
    clear(previewBox);
    append(previewBox,
      facts([
        ['As of', timeEl(p.generatedAt)],
        ['Would delete', `${p.wouldDeleteCount} ${p.wouldDeleteCount === 1 ? 'recording' : 'recordings'} (${formatBytes(p.wouldDeleteBytes)})`],
        ['Kept by holds', `${p.heldCount} expired ${p.heldCount === 1 ? 'recording' : 'recordings'}`],
      ]),
      p.truncated ? h('p', { class: 'small muted' }, `Lists show the first ${PREVIEW_LIMIT} of each.`) : null,
      h('h3', {}, 'Would be deleted'),
      p.wouldDelete.length
        ? table(['Name', 'Kind', 'Expired', { text: 'Size', class: 'num' }],
          p.wouldDelete.map((m) => h('tr', {},
            h('td', { class: 'break' }, m.blobName),
            h('td', {}, m.kind),
            h('td', { class: 'nowrap' }, timeEl(m.expiredAt)),
            h('td', { class: 'num' }, formatBytes(m.size)))),
          { caption: 'Recordings the next sweep would delete' })
        : empty(p.keptByHolds.length
          ? 'Nothing to delete: every expired recording is kept by a hold (below).'
          : 'Nothing has expired: the next sweep would delete nothing.'),
      h('h3', {}, 'Expired but kept by holds'),
      p.keptByHolds.length
        ? table(['Name', 'Kind', 'Expired', 'Kept by'],
          p.keptByHolds.map((m) => h('tr', {},
            h('td', { class: 'break' }, m.blobName),
            h('td', {}, m.kind),
            h('td', { class: 'nowrap' }, timeEl(m.expiredAt)),
            h('td', { class: 'break' }, m.holdIds.map((id, i) => [i ? ', ' : '', h('a', { href: `#/holds/${encodeURIComponent(id)}` }, m.caseNumbers[i] ?? id)])))),
          { caption: 'Expired recordings kept by holds' })
        : empty('No expired recording is being kept by a hold.'));
  }

  async function sweep() {
    sweepButton.disabled = true;
    replace(sweepBox, h('p', { class: 'muted' }, 'Starting the sweep…'));
    try {
      // The server answers at once with an operation and sweeps in the background; follow it until it is done.
      const operation = await untilFinished(await api.sweep(), (o) => replace(sweepBox, sweepProgress(o)));
      if (operation.status !== 'succeeded') {
        const error = operation.error ?? {};
        replace(sweepBox, notice('bad', `The sweep failed: ${error.title ?? 'error'}`, h('p', {}, error.detail ?? '')));
        announce(`Sweep failed: ${error.detail ?? error.title ?? ''}`);
        return;
      }
      const s = operation.result;
      replace(sweepBox,
        notice(s.failures || s.stoppedEarly ? 'warn' : 'good', `Sweep finished: ${s.deleted} deleted, ${s.heldKept} kept by holds`,
          s.stoppedEarly
            ? h('p', {}, `It used its time budget and stopped at ${describePosition(s.checkpoint)}; the next sweep carries on from there.`)
            : null,
          facts([
            ['Sweep id', h('span', { class: 'mono' }, s.sweepId)],
            ['Started', timeEl(s.startedAt)],
            ['Duration', `${s.durationSeconds.toFixed(1)} s`],
            ['Expired', String(s.expired)],
            ['Deleted', `${s.deleted} (${formatBytes(s.bytesDeleted)})`],
            ['Already gone', String(s.alreadyGone)],
            ['Kept by holds', String(s.heldKept)],
            ['Left for the next sweep', String(s.deferred)],
            ['Reconciled (unindexed blobs found)', String(s.reconciled)],
            ['Failures', String(s.failures)],
          ])));
      announce(`Sweep finished: ${s.deleted} deleted, ${s.heldKept} kept by holds, ${s.failures} failures.`);
      await Promise.all([loadPreview(), renderChain(chain)]);
    } catch (error) {
      replace(sweepBox, errorNotice(error, 'The sweep'));
      announce(`Sweep failed: ${error.detail ?? error.message}`);
    } finally {
      sweepButton.disabled = false;
    }
  }
}

/** A running sweep: what it is doing and its counts so far. */
function sweepProgress(operation) {
  const p = operation.progress;
  if (operation.status === 'queued' || !p) return h('p', { class: 'muted', role: 'status' }, 'The sweep is queued; it starts in a moment…');
  const phase = p.phase === 'reconcile' ? 'indexing blobs the index did not know' : 'deleting expired recordings';
  return h('p', { class: 'muted', role: 'status' },
    `Sweeping (${phase})… ${p.deleted} deleted, ${p.heldKept} kept by holds, ${p.expired} expired looked at so far.`);
}

function describePosition(position) {
  if (!position) return 'an unknown point';
  if (position.phase === 'reconcile') return `the reconcile of container ${position.container}`;
  return position.after ? `the ${position.kind} recordings after ${position.after}` : `the start of the ${position.kind} recordings`;
}

/** The audit chain's verification, shown prominently: intact (green) or where it breaks (red). */
async function renderChain(box) {
  replace(box, notice('info', 'Checking the audit chain…'));
  try {
    const v = await api.auditVerify();
    replace(box, v.intact
      ? notice('good', `Audit chain intact: ${v.entriesChecked} ${v.entriesChecked === 1 ? 'entry' : 'entries'} checked`,
        h('div', { class: 'small' }, 'Head hash ', h('span', { class: 'hash' }, v.headHash ?? '—'),
          ' — keep a copy of it somewhere the log\'s writers cannot change, to detect a rewrite later.'))
      : notice('bad', `Audit chain BROKEN: ${v.breaks.length} ${v.breaks.length === 1 ? 'problem' : 'problems'} in ${v.entriesChecked} entries`,
        h('ul', {}, v.breaks.map((b) => h('li', {}, `Entry ${b.sequence}: ${b.problem}`)))));
  } catch (error) {
    replace(box, errorNotice(error, 'Checking the audit chain'));
  }
}

export async function renderAudit(view) {
  const chain = h('div', { 'aria-live': 'polite' });
  const inputs = {
    from: h('input', { type: 'datetime-local', step: '1', name: 'from' }),
    to: h('input', { type: 'datetime-local', step: '1', name: 'to' }),
    action: h('select', { name: 'action' }, h('option', { value: '' }, 'All actions')),
    actor: h('input', { name: 'actor', autocomplete: 'off' }),
  };
  const list = h('div', {});
  let entries = [];
  let token = null;

  append(view,
    h('h1', {}, 'Audit log'),
    chain,
    h('form', { class: 'filters panel', on: { submit: (e) => { e.preventDefault(); load(); } } },
      field('From', inputs.from, `(${utcOffsetLabel()})`),
      field('To', inputs.to, `(${utcOffsetLabel()})`),
      field('Action', inputs.action),
      field('Actor contains', inputs.actor),
      h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Show'))),
    list);
  inputs.action.addEventListener('change', render);
  inputs.actor.addEventListener('input', render);

  await Promise.all([renderChain(chain), load()]);

  async function load(more = false) {
    if (!more) {
      entries = [];
      token = null;
      replace(list, h('p', { class: 'muted' }, 'Loading…'));
    }
    try {
      const page = await nextItems((next) => api.audit({
        from: localInputToIso(inputs.from.value),
        to: localInputToIso(inputs.to.value),
        pageSize: 200,
        continuationToken: next,
      }), token);
      entries.push(...page.items);
      token = page.token;
      updateActions();
      render();
    } catch (error) {
      replace(list, errorNotice(error, 'Loading the audit log'));
    }
  }

  function updateActions() {
    const chosen = inputs.action.value;
    const actions = [...new Set(entries.map((e) => e.action))].sort();
    replace(inputs.action, h('option', { value: '' }, 'All actions'), actions.map((a) => h('option', { value: a }, a)));
    inputs.action.value = actions.includes(chosen) ? chosen : '';
  }

  function render() {
    clear(list);
    const action = inputs.action.value;
    const actor = inputs.actor.value.trim().toLowerCase();
    // Newest first: that is what an administrator looks for.
    const shown = entries.filter((e) => (!action || e.action === action) && (!actor || e.actor.toLowerCase().includes(actor)))
      .slice().reverse();
    append(list, h('p', { class: 'small muted' },
      `${shown.length} of ${entries.length} loaded ${entries.length === 1 ? 'entry' : 'entries'} shown${token ? '; older entries first, load more for later ones' : ''}.`));
    if (entries.length === 0 && token) {
      append(list, notYet('entries', () => load(true)));
      return;
    }
    if (shown.length === 0) {
      append(list, empty(entries.length ? 'No loaded entry matches the action and actor filters.' : 'The audit log has no entries in this time range.'));
    } else {
      append(list, table([{ text: '#', class: 'num' }, 'Time', 'Actor', 'Action', 'Target', 'Details'],
        shown.map((e) => h('tr', { class: e.action === 'access.denied' ? 'row-bad' : null },
          h('td', { class: 'num' }, String(e.sequence)),
          h('td', { class: 'nowrap' }, timeEl(e.time)),
          h('td', { class: 'break name' }, e.actor),
          h('td', {}, actionBadge(e.action)),
          h('td', { class: 'break mono small' }, e.target),
          h('td', { class: 'break small' }, Object.entries(e.details ?? {}).filter(([, v]) => v !== null && v !== '')
            .map(([k, v], i) => [i ? '; ' : '', h('span', { class: 'muted' }, `${k}=`), String(v)])))),
        { caption: 'Audit entries' }));
    }
    if (token) {
      append(list, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', on: { click: () => load(true) } }, 'Load more')));
    }
  }
}

function actionBadge(action) {
  const kind = action === 'access.denied' || action === 'media.altered' ? 'bad'
    : action.startsWith('hold.') ? 'good'
      : action === 'media.deleted' ? 'warn' : 'neutral';
  return badge(kind, action);
}
