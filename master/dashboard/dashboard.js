// The MooseNG dashboard's logic: polls /status on this origin and redraws the page from it. Every value is written
// with textContent, so nothing from the cluster (file names in events, labels) can become markup. Fields an older
// master does not send are shown as "—"; drawing never throws out of a section.
'use strict';

(function dashboard() {
  /** How often /status is fetched; a fetch starts only after the previous one ended, so they never pile up. */
  const POLL_INTERVAL_MS = 2000;
  /** A /status that has not answered in this long counts as unreachable. */
  const FETCH_TIMEOUT_MS = 5000;
  /** How often the "n s ago" texts are refreshed between fetches. */
  const TICK_MS = 1000;
  const NONE = '—';

  /** Newest good /status, and when (local clock) it arrived: kept on screen, marked stale, while fetches fail. */
  let lastStatus = null;
  let lastSuccessAt = null;
  /** Why the latest fetch failed, or null when it succeeded. */
  let fetchError = null;

  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

  /** An element with properties (className, testid, title, data: {...}) and children (nodes or strings as text). */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    const p = props || {};
    if (p.className) node.className = p.className;
    if (p.testid) node.dataset.testid = p.testid;
    if (p.title) node.title = p.title;
    for (const [k, v] of Object.entries(p.data || {})) node.dataset[k] = String(v);
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (v) => (typeof v === 'string' && v !== '' ? v : null);
  /** A node's id as shown: a string or number as sent, '?' for anything else. */
  const idOf = (v) => (str(v) !== null || isNum(v) ? String(v) : '?');
  const count = (v) => (isNum(v) ? Math.round(v).toLocaleString('en-US') : NONE);

  const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  function bytes(v) {
    if (!isNum(v) || v < 0) return NONE;
    let value = v;
    let unit = 0;
    while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
    return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
  }

  function clockTime(ms) {
    const d = new Date(ms);
    const today = new Date();
    const time = d.toLocaleTimeString('en-GB', { hour12: false });
    return d.toDateString() === today.toDateString() ? time : `${d.toISOString().slice(0, 10)} ${time}`;
  }

  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 90) return `${s} s ago`;
    if (s < 5400) return `${Math.round(s / 60)} min ago`;
    return `${Math.round(s / 3600)} h ago`;
  }

  function duration(ms) {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
  }

  function setText(testid, text) {
    const node = byTestId(testid);
    if (node) node.textContent = text;
    return node;
  }

  /** Marks a figure as warning or bad by its value, so problems stand out before anyone reads the numbers. */
  function setFigure(testid, value, levelOf) {
    const node = setText(testid, count(value));
    if (!node) return;
    node.classList.remove('warn', 'bad');
    const level = isNum(value) ? levelOf(value) : null;
    if (level) node.classList.add(level);
  }

  function renderHeader(s) {
    const cluster = str(s.cluster);
    setText('cluster', cluster ? `cluster ${cluster}` : '');
    const node = str(s.node);
    const role = str(s.role);
    setText('node-line', node ? `served by ${node}${role ? ` (${role})` : ''}` : '');
    const state = isObj(s.health) ? str(s.health.state) : null;
    document.title = `${state ? `${state} · ` : ''}MooseNG${cluster ? ` ${cluster}` : ''}`;
  }

  function renderHealth(s) {
    const h = isObj(s.health) ? s.health : {};
    const state = str(h.state);
    const section = byTestId('health');
    section.dataset.state = state === 'healthy' || state === 'degraded' || state === 'critical' ? state : 'unknown';
    setText('health-score', isNum(h.score) ? String(Number.isInteger(h.score) ? h.score : h.score.toFixed(1)) : NONE);
    setText('health-state', state || (isObj(s.health) ? 'unknown' : 'not reported by this master'));
    const reasons = Array.isArray(h.reasons) ? h.reasons.filter((r) => typeof r === 'string') : [];
    byTestId('health-reasons').replaceChildren(...reasons.map((r) => el('li', { testid: 'health-reason' }, r)));
  }

  function renderLeadership(s) {
    const leader = str(s.leader);
    const node = setText('leader', leader || (s.leader === null ? 'none (election)' : NONE));
    node.dataset.leader = leader || '';
    setText('term', count(s.term));
    setText('raft-index', isNum(s.commitIndex) || isNum(s.appliedIndex) ? `${count(s.commitIndex)} / ${count(s.appliedIndex)}` : NONE);
  }

  function renderNamespace(s) {
    setText('files', count(s.files));
    setText('directories', count(s.directories));
    setText('chunks', count(s.chunks));
    setText('file-bytes', bytes(s.fileBytes));
    setText('inodes', count(s.inodes));
    setText('sessions', count(s.sessions));
  }

  function renderReplication(s) {
    setFigure('under-goal', s.underGoalChunks, (v) => (v > 0 ? 'warn' : null));
    setFigure('over-goal', s.overGoalChunks, () => null);
    setFigure('missing-chunks', s.missingChunks, (v) => (v > 0 ? 'bad' : null));
    setFigure('replication-queue', s.replicationQueue, () => null);
    const note = byTestId('repair-source');
    // Only the leader classifies chunks; a follower sends no figures (an older one sent stale ones), and says so.
    const fromFollower = str(s.repairFiguresFrom) !== null && s.repairFiguresFrom !== 'this master';
    const leader = str(s.leader);
    note.hidden = !fromFollower;
    note.textContent = fromFollower
      ? `This master is not the leader and does not classify chunks: the leader's dashboard${leader ? ` (${leader})` : ''} has these figures.`
      : '';
  }

  function renderMasters(s) {
    const masters = Array.isArray(s.masters) ? s.masters.filter(isObj) : [];
    const rows = masters.map((m) => {
      const id = idOf(m.id);
      // An older master lists members without the leader flag; the leader's id says the same.
      const isLeader = typeof m.leader === 'boolean' ? m.leader : id === s.leader;
      const isSelf = typeof m.self === 'boolean' ? m.self : id === s.node;
      const role = el('td', null, el('span', { className: isLeader ? 'pill ok' : 'pill' }, isLeader ? 'leader' : 'follower'));
      if (isSelf) role.append(' ', el('span', { className: 'pill self' }, 'this node'));
      return el(
        'tr',
        { testid: 'master', data: { id, leader: isLeader } },
        el('td', null, el('strong', null, id)),
        el('td', { className: 'mono' }, str(m.address) || NONE),
        role,
        el('td', { className: 'num' }, count(m.matchIndex)),
        contactCell(m),
      );
    });
    if (rows.length === 0) {
      const cell = el('td', { className: 'empty' }, 'Not reported by this master.');
      cell.colSpan = 5;
      rows.push(el('tr', null, cell));
    }
    byTestId('masters').replaceChildren(...rows);
  }

  /** Whether the leader hears from this master (`reachable`, and `lastContactMs` where a master sends it). */
  function contactCell(m) {
    const cell = el('td', { testid: 'master-contact' });
    if (typeof m.reachable === 'boolean')
      cell.append(el('span', { className: m.reachable ? 'pill ok' : 'pill bad' }, m.reachable ? 'answering' : 'not answering'));
    if (isNum(m.lastContactMs)) cell.append(cell.firstChild ? ' ' : '', `${duration(m.lastContactMs)} ago`);
    if (!cell.firstChild) cell.textContent = NONE;
    return cell;
  }

  /**
   * The capacity bar: chunk data, then whatever else fills the same disks (data directories often share a file
   * system with other things), so the bar shows how full the disks are, which is what limits new chunks.
   */
  function capacityBar(total, used, free) {
    const share = (v) => Math.min(1, Math.max(0, v / total));
    const chunkShare = total && used !== null ? share(used) : null;
    const otherShare = total && used !== null && free !== null ? Math.min(1 - chunkShare, share(total - free - used)) : 0;
    const chunkPart = el('div', { className: 'chunk-data' });
    const otherPart = el('div', { className: 'other-data' });
    const bar = el('div', { className: 'capacity', testid: 'capacity' }, chunkPart, otherPart);
    if (chunkShare === null) {
      bar.title = 'capacity not reported';
      return { bar, full: null };
    }
    const full = chunkShare + otherShare;
    // Set through the CSSOM: the page's CSP forbids inline style attributes, not this.
    chunkPart.style.width = `${(chunkShare * 100).toFixed(2)}%`;
    otherPart.style.width = `${(otherShare * 100).toFixed(2)}%`;
    bar.title = `${bytes(used)} chunk data, ${bytes(total * otherShare)} other data, ${bytes(free)} free`;
    if (full >= 0.95) bar.classList.add('bad');
    else if (full >= 0.85) bar.classList.add('warn');
    return { bar, full };
  }

  function chunkserverCard(cs) {
    const id = idOf(cs.id);
    const alive = cs.alive !== false;
    const labels = isObj(cs.labels) ? Object.entries(cs.labels) : [];
    const total = isNum(cs.totalBytes) ? cs.totalBytes : null;
    const used = isNum(cs.usedBytes) ? cs.usedBytes : null;
    const free = isNum(cs.freeBytes) ? cs.freeBytes : null;
    const { bar, full } = capacityBar(total, used, free);

    const dirs = Array.isArray(cs.dirs) ? cs.dirs.filter(isObj) : [];
    const failed = dirs.filter((d) => d.usable === false);
    const dirText =
      dirs.length === 0 ? '' : `${dirs.length} ${dirs.length === 1 ? 'disk' : 'disks'}${failed.length ? `, ${failed.length} failed` : ''}`;
    const usage =
      [full !== null ? `${Math.round(full * 100)}% full` : null, free !== null ? `${bytes(free)} free` : null].filter(Boolean).join(', ') ||
      NONE;

    return el(
      'div',
      { className: 'server', testid: 'chunkserver', data: { id, alive } },
      el(
        'div',
        { className: 'server-head' },
        el('strong', null, id),
        el('span', { className: alive ? 'pill ok' : 'pill bad', testid: 'chunkserver-state' }, alive ? 'alive' : 'dead'),
      ),
      el('div', { className: 'address mono' }, str(cs.address) || NONE),
      labels.length
        ? el('div', { className: 'labels' }, ...labels.map(([k, v]) => el('span', { className: 'pill' }, `${k}=${String(v)}`)))
        : null,
      el(
        'div',
        { className: 'server-figures' },
        el('span', { testid: 'chunkserver-stored' }, `${bytes(used)} in ${count(cs.chunks)} chunks`),
        el('span', null, `${bytes(total)} total`),
      ),
      bar,
      el('div', { className: 'server-figures' }, el('span', { testid: 'chunkserver-usage' }, usage), el('span', null, dirText)),
      failed.length
        ? el(
            'ul',
            { className: 'failed-dirs', testid: 'failed-dirs' },
            ...failed.map((d) => el('li', null, `${str(d.dir) || '?'}${str(d.error) ? `: ${d.error}` : ''}`)),
          )
        : null,
    );
  }

  function renderChunkservers(s) {
    const servers = Array.isArray(s.chunkservers) ? s.chunkservers.filter(isObj) : [];
    servers.sort((a, b) => String(a.id).localeCompare(String(b.id), 'en', { numeric: true }));
    const dead = servers.filter((cs) => cs.alive === false).length;
    setText('chunkserver-count', servers.length ? `${servers.length} (${servers.length - dead} alive${dead ? `, ${dead} dead` : ''})` : '');
    const cards = servers.map(chunkserverCard);
    byTestId('chunkservers').replaceChildren(
      ...(cards.length ? cards : [el('p', { className: 'empty' }, 'No chunkserver has registered.')]),
    );
  }

  function eventItem(e) {
    const level = e.level === 'warn' || e.level === 'error' ? e.level : 'info';
    const when = isNum(e.time) ? el('time', { title: new Date(e.time).toISOString() }, clockTime(e.time)) : el('time', null, NONE);
    if (isNum(e.time)) when.dateTime = new Date(e.time).toISOString();
    const fields = isObj(e.fields) ? Object.entries(e.fields).map(([k, v]) => `${k}=${String(v)}`) : [];
    const detail = [str(e.component), ...fields].filter(Boolean).join('  ');
    return el(
      'li',
      { testid: 'event', data: { level } },
      when,
      el('span', { className: `pill ${level === 'error' ? 'bad' : level === 'warn' ? 'warn' : ''}` }, level),
      el('div', { className: 'text' }, el('div', null, str(e.message) || NONE), detail ? el('div', { className: 'detail' }, detail) : null),
    );
  }

  function renderEvents(s) {
    const events = Array.isArray(s.events) ? s.events.filter(isObj) : [];
    // The master sends newest first; sorting again keeps that true whatever it sends.
    const ordered = events
      .map((e, i) => ({ e, i }))
      .sort((a, b) => (isNum(b.e.time) ? b.e.time : 0) - (isNum(a.e.time) ? a.e.time : 0) || a.i - b.i);
    const items = ordered.map(({ e }) => eventItem(e));
    const empty = Array.isArray(s.events) ? 'No events yet.' : 'This master does not report events.';
    byTestId('events').replaceChildren(...(items.length ? items : [el('li', { className: 'empty' }, empty)]));
  }

  const SECTIONS = [
    renderHeader,
    renderHealth,
    renderLeadership,
    renderNamespace,
    renderReplication,
    renderMasters,
    renderChunkservers,
    renderEvents,
  ];

  function render(s) {
    for (const section of SECTIONS) {
      try {
        section(s);
      } catch (err) {
        // One odd field must not blank the rest of the page.
        console.error(`dashboard: ${section.name} failed`, err);
      }
    }
  }

  /** The "last updated" line and the stale banner, which age between fetches. */
  function renderFreshness() {
    const banner = byTestId('stale-banner');
    if (lastSuccessAt !== null) {
      setText('last-updated', `updated ${clockTime(lastSuccessAt)} (${ago(Date.now() - lastSuccessAt)})`);
    }
    document.body.classList.toggle('stale', fetchError !== null && lastStatus !== null);
    banner.hidden = fetchError === null;
    if (fetchError === null) return;
    banner.textContent =
      lastStatus === null
        ? `Cannot fetch /status from this master: ${fetchError}. Retrying every ${POLL_INTERVAL_MS / 1000} s.`
        : `Cannot fetch /status from this master: ${fetchError}. Showing data from ${clockTime(lastSuccessAt)} (${ago(Date.now() - lastSuccessAt)}); it may be out of date.`;
  }

  async function fetchStatus() {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
    try {
      const res = await fetch('/status', { cache: 'no-store', signal: abort.signal, headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = await res.json();
      if (!isObj(body)) throw new Error('the answer is not a JSON object');
      return body;
    } catch (err) {
      if (abort.signal.aborted) throw new Error(`no answer within ${FETCH_TIMEOUT_MS / 1000} s`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async function poll() {
    try {
      const status = await fetchStatus();
      lastStatus = status;
      lastSuccessAt = Date.now();
      fetchError = null;
      render(status);
    } catch (err) {
      fetchError = err instanceof Error && err.message ? err.message : String(err);
    }
    renderFreshness();
    setTimeout(poll, POLL_INTERVAL_MS);
  }

  setInterval(renderFreshness, TICK_MS);
  void poll();
})();
