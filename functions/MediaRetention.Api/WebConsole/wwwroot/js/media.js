// Security staff and administrators: find clips and calls by site/camera or phone system and time, see rejected
// uploads and why, play a recording through a short-lived audited link, see which holds cover it.
import { api, nextItems } from './api.js';
import {
  announce, append, badge, clear, empty, errorNotice, facts, field, formatBytes, formatTime, h, isoToLocalInput,
  localInputToIso, notice, notYet, replace, table, timeEl, utcOffsetLabel,
} from './dom.js';

const PAGE_SIZE = 200;
const VIDEO = new Set(['mp4', 'mkv', 'mov', 'avi', 'ts', 'webm']);
const AUDIO = new Set(['wav', 'mp3', 'ogg', 'opus', 'm4a']);
const IMAGE = new Set(['jpg', 'jpeg']);
const HOUR = 3600 * 1000;

export async function renderMedia(view, params) {
  const state = { items: [], token: null, filters: null, selectedId: null };

  const inputs = {
    kind: h('select', { name: 'kind' },
      h('option', { value: 'cctv' }, 'CCTV clips'),
      h('option', { value: 'call' }, 'Calls'),
      h('option', { value: '' }, 'Both')),
    site: h('input', { name: 'site', autocomplete: 'off', placeholder: 'e.g. oslo-1' }),
    camera: h('input', { name: 'camera', autocomplete: 'off', placeholder: 'e.g. cam-02' }),
    system: h('input', { name: 'system', autocomplete: 'off', placeholder: 'e.g. pbx-1' }),
    callId: h('input', { name: 'callId', autocomplete: 'off' }),
    from: h('input', { name: 'from', type: 'datetime-local', step: '1' }),
    to: h('input', { name: 'to', type: 'datetime-local', step: '1' }),
    status: h('select', { name: 'status' },
      h('option', { value: '' }, 'All'),
      h('option', { value: 'Indexed' }, 'Indexed'),
      h('option', { value: 'Rejected' }, 'Rejected only')),
  };

  // Filters come from the address, so a search can be bookmarked or shared with a colleague.
  inputs.kind.value = params.get('kind') ?? 'cctv';
  for (const name of ['site', 'camera', 'system', 'callId', 'status']) inputs[name].value = params.get(name) ?? '';
  const now = Date.now();
  inputs.from.value = isoToLocalInput(params.get('from') ?? new Date(now - 24 * HOUR).toISOString());
  inputs.to.value = isoToLocalInput(params.get('to') ?? new Date(now).toISOString());

  const results = h('section', { 'aria-labelledby': 'results-title' });
  const detail = h('section', { class: 'panel sticky', 'aria-labelledby': 'detail-title', id: 'media-detail' });
  const quick = (label, hours) => h('button', {
    type: 'button',
    class: 'secondary small',
    on: {
      click: () => {
        const end = new Date();
        inputs.to.value = isoToLocalInput(end.toISOString());
        inputs.from.value = isoToLocalInput(new Date(end.getTime() - hours * HOUR).toISOString());
        search();
      },
    },
  }, label);

  const form = h('form', { class: 'filters', on: { submit: (event) => { event.preventDefault(); search(); } } },
    field('Kind', inputs.kind),
    field('Site', inputs.site),
    field('Camera', inputs.camera, '(needs a site)'),
    field('Phone system', inputs.system),
    field('Call id', inputs.callId),
    field('From', inputs.from, `(${utcOffsetLabel()})`),
    field('To', inputs.to, `(${utcOffsetLabel()})`),
    field('Status', inputs.status),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Search')));

  append(view,
    h('div', { class: 'page-head' },
      h('h1', {}, 'Media'),
      h('p', { class: 'muted small' }, 'Recording times are shown in your local time. Playing a recording is recorded in the audit log.')),
    h('div', { class: 'panel' }, form,
      h('div', { class: 'toolbar' }, h('span', { class: 'small muted' }, 'Quick ranges:'),
        quick('Last hour', 1), quick('Last 24 hours', 24), quick('Last 7 days', 24 * 7), quick('Last 30 days', 24 * 30))),
    h('div', { class: 'split' }, results, detail));

  renderDetailEmpty();
  await search({ initial: true });

  function currentFilters() {
    return {
      kind: inputs.kind.value,
      site: inputs.site.value.trim(),
      camera: inputs.camera.value.trim(),
      system: inputs.system.value.trim(),
      callId: inputs.callId.value.trim(),
      from: localInputToIso(inputs.from.value),
      to: localInputToIso(inputs.to.value),
      status: inputs.status.value,
    };
  }

  async function search({ initial = false } = {}) {
    const filters = currentFilters();
    if (filters.camera && !filters.site) {
      replace(results, notice('warn', 'A camera needs its site', 'Camera names are unique within a site: fill in the site too.'));
      inputs.site.focus();
      return;
    }
    state.filters = filters;
    state.items = [];
    state.token = null;
    if (!initial) {
      const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
      window.history.replaceState(null, '', `#/media?${query}`);
    }
    replace(results, h('p', { class: 'muted' }, 'Searching…'));
    await loadPage();
  }

  async function loadPage() {
    try {
      const page = await nextItems((token) => api.media({ ...state.filters, pageSize: PAGE_SIZE, continuationToken: token }), state.token);
      state.items.push(...page.items);
      state.token = page.token;
      renderResults();
      announce(`${state.items.length} ${state.items.length === 1 ? 'recording' : 'recordings'} found${state.token ? ', more available' : ''}.`);
    } catch (error) {
      replace(results, errorNotice(error, 'Searching media'));
      announce(`Search failed: ${error.detail ?? error.message}`);
    }
  }

  function renderResults() {
    clear(results);
    const count = state.items.length;
    append(results, h('h2', { id: 'results-title' }, `${count} ${count === 1 ? 'recording' : 'recordings'}${state.token ? ' so far' : ''}`));
    if (count === 0 && state.token) {
      append(results, notYet('recordings', () => loadPage()));
      return;
    }
    if (count === 0) {
      append(results, empty('Nothing matches these filters. Widen the time range, or check the site, camera or phone system name.'));
      return;
    }

    const groups = new Map();
    for (const item of state.items) {
      const key = groupLabel(item);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(item);
    }
    const times = state.items.map((m) => Date.parse(when(m)));
    let start = state.filters.from ? Date.parse(state.filters.from) : Math.min(...times);
    let end = state.filters.to ? Date.parse(state.filters.to) : Math.max(...times);
    if (end <= start) {
      start -= HOUR / 2;
      end += HOUR / 2;
    }

    for (const [label, items] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const rejected = items.filter((m) => m.status === 'Rejected').length;
      append(results, h('section', { class: 'group panel', 'aria-label': label },
        h('div', { class: 'group-head' },
          h('h3', {}, label),
          h('span', { class: 'small muted' }, `${items.length} ${items.length === 1 ? 'recording' : 'recordings'}`,
            rejected ? `, ${rejected} rejected` : '')),
        timeline(items, start, end),
        h('div', { class: 'timeline-scale', 'aria-hidden': 'true' }, h('span', {}, formatTime(new Date(start).toISOString())), h('span', {}, formatTime(new Date(end).toISOString()))),
        table(['Time', 'Name', { text: 'Size', class: 'num' }, 'Status', ''],
          items.map((m) => h('tr', { class: [m.id === state.selectedId && 'selected', m.status === 'Rejected' && 'row-bad'], dataset: { mediaId: m.id } },
            h('td', { class: 'nowrap' }, timeEl(when(m)), m.recordedAt ? null : h('div', { class: 'small muted' }, 'uploaded')),
            h('td', { class: 'break name' }, m.blobName),
            h('td', { class: 'num' }, formatBytes(m.size)),
            h('td', { class: 'reason' }, m.status === 'Rejected'
              ? [badge('bad', 'Rejected'), h('div', { class: 'small' }, m.rejectionReason ?? '')]
              : badge('neutral', 'Indexed')),
            h('td', {}, h('button', {
              type: 'button', class: 'secondary small', 'aria-label': `Open ${m.blobName}`, on: { click: () => select(m.id) },
            }, 'Open')))),
        { caption: label })));
    }

    if (state.token) {
      append(results, h('div', { class: 'actions' }, h('button', {
        type: 'button', class: 'secondary', on: { click: () => loadPage() },
      }, 'Load more')));
    }
  }

  // A bar per camera or phone system: where in the time range the recordings fall. For pointer users; the
  // table below it has the same recordings for keyboard and screen-reader users.
  function timeline(items, start, end) {
    const bar = h('div', { class: 'timeline', 'aria-hidden': 'true' });
    for (const m of items) {
      const at = Date.parse(when(m));
      const mark = h('button', {
        type: 'button',
        tabindex: '-1',
        class: ['mark', m.status === 'Rejected' && 'rejected', m.id === state.selectedId && 'selected'],
        title: `${formatTime(when(m))} ${m.blobName}`,
        on: { click: () => select(m.id) },
      });
      mark.style.left = `${Math.min(99.5, Math.max(0.5, ((at - start) / (end - start)) * 100))}%`;
      bar.append(mark);
    }
    return bar;
  }

  function renderDetailEmpty() {
    replace(detail, h('h2', { id: 'detail-title' }, 'Details'),
      empty('Open a recording to see its details, play it, and see the holds that keep it.'));
  }

  async function select(mediaId) {
    state.selectedId = mediaId;
    for (const row of results.querySelectorAll('tr[data-media-id]')) row.classList.toggle('selected', row.dataset.mediaId === mediaId);
    replace(detail, h('h2', { id: 'detail-title' }, 'Details'), h('p', { class: 'muted' }, 'Loading…'));
    try {
      const medium = await api.medium(mediaId);
      renderDetail(medium);
      detail.querySelector('h2').focus();
    } catch (error) {
      replace(detail, h('h2', { id: 'detail-title' }, 'Details'), errorNotice(error, 'Loading the recording'));
    }
  }

  function renderDetail(m) {
    const player = h('div', { class: 'player', id: 'player' });
    const ext = extension(m.blobName);
    const playable = VIDEO.has(ext) || AUDIO.has(ext) || IMAGE.has(ext);
    const playLabel = IMAGE.has(ext) ? 'Show image' : m.kind === 'call' ? 'Play call' : 'Play clip';
    const holds = m.holds ?? [];

    replace(detail,
      h('h2', { id: 'detail-title', tabindex: '-1', class: 'break' }, m.blobName),
      m.status === 'Rejected' ? notice('bad', 'Rejected upload', m.rejectionReason ?? 'No reason recorded.') : null,
      m.alteredSha256 ? notice('warn', 'Changed after it was preserved',
        'This blob was overwritten while under hold. The SHA-256 below is the preserved original; the stored file now hashes to ',
        h('span', { class: 'hash' }, m.alteredSha256), '.') : null,
      facts([
        ['Kind', m.kind === 'cctv' ? 'CCTV clip' : 'Call'],
        ['Site', m.site], ['Camera', m.camera], ['Phone system', m.system], ['Call id', m.callId],
        ['Direction', m.direction], ['Agent', m.agent], ['Caller', m.caller], ['Callee', m.callee],
        ['Recorded', timeEl(m.recordedAt)],
        ['Uploaded', timeEl(m.uploadedAt)],
        ['Size', formatBytes(m.size)],
        ['Content type', m.contentType],
        ['SHA-256', h('span', { class: 'hash' }, m.sha256)],
        ['Container', m.container],
      ]),
      h('h3', {}, 'Holds'),
      holds.length
        ? h('ul', {}, holds.map((hold) => h('li', {}, h('a', { href: `#/holds/${encodeURIComponent(hold.id)}` }, hold.caseNumber), ` (${hold.agency})`)))
        : h('p', { class: 'muted' }, 'No active hold covers this recording: it will be deleted when its retention ends.'),
      h('div', { class: 'actions' },
        playable ? h('button', { type: 'button', on: { click: () => play(m, player) } }, playLabel) : null,
        h('a', { class: 'button secondary', href: `#/holds/new?media=${encodeURIComponent(m.id)}` }, 'Place a hold on this recording')),
      playable ? null : h('p', { class: 'small muted' }, `Files of type .${ext || '?'} cannot be played in a browser.`),
      player);
  }

  async function play(m, player) {
    replace(player, h('p', { class: 'muted' }, 'Getting a playback link…'));
    let link;
    try {
      link = await api.mediaLink(m.id);
    } catch (error) {
      replace(player, errorNotice(error, 'Getting a playback link'));
      return;
    }
    const ext = extension(m.blobName);
    const label = `${m.kind === 'call' ? 'Call' : 'Clip'} ${m.blobName}`;
    const element = IMAGE.has(ext)
      ? h('img', { alt: label })
      : h(AUDIO.has(ext) ? 'audio' : 'video', { controls: true, preload: 'metadata', 'aria-label': label });
    const status = h('p', { class: 'small muted' },
      'Link valid until ', timeEl(link.urlExpiresAt), '. This viewing is recorded in the audit log.');
    element.addEventListener('error', () => {
      replace(player, notice('warn', 'This browser cannot play this file',
        `The recording is stored, but its format (.${ext}) is not one this browser plays. `,
        h('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer' }, 'Open the file'),
        ' to play it with another program.'));
    });
    element.addEventListener(IMAGE.has(ext) ? 'load' : 'loadedmetadata', () => announce(`${label} is ready.`));
    element.src = link.url;
    replace(player, element, status);
    element.focus();
  }
}

function when(m) {
  return m.recordedAt ?? m.uploadedAt;
}

function groupLabel(m) {
  if (m.kind === 'cctv' && m.site) return `CCTV · ${m.site} / ${m.camera ?? '?'}`;
  if (m.kind === 'call' && m.system) return `Calls · ${m.system}`;
  return `Uploads with unreadable names in ${m.container}`;
}

function extension(name) {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}
