// The dashboard's script and stylesheet, served as /ui/app.js and /ui/app.css (no bundler: plain ES2020
// that every current browser runs as is). Data is only ever written with textContent, never innerHTML.
// Kept as strings so they ship in dist/ with the compiled code; no backticks or `${` inside.

export const APP_JS = String.raw`'use strict';
(function () {
  var TOKEN = 'herald.token';
  var WHO = 'herald.who';
  var USER = 'herald.user';
  var THEME = 'herald.theme';
  var PREFS = 'herald.triage';
  var COLLAPSED = 'herald.collapsed';
  // Without live events every list is read again every POLL_MS (a few list-level requests, whatever the
  // number of groups); with them, on each event (debounced) and every SAFETY_MS as a safety net.
  var POLL_MS = 5000;
  var SAFETY_MS = 60000;
  var DEBOUNCE_MS = 100;
  var MIN_GAP_MS = 1000;
  var HISTORY_LIMIT = 500;
  // role: the session's role once known ('admin', 'viewer'), 'unknown' when it could not be read (write
  // buttons are then shown and a refusal is reported); focusSilence: the silence a link pointed at.
  var state = { view: 'groups', groupState: 'firing', filter: '', timer: null, busy: false,
    role: null, focusSilence: null, scrolled: false, editing: null, again: false,
    mode: null, data: null, silences: {}, errors: {}, hasHistory: null, hasQueue: null,
    live: false, lastLive: 0, share: null, stream: null, streamTimer: null, streamBackoff: 1000, lastEventId: null, pending: {}, debounce: null,
    history: { group: '', receiver: '' } };
  var EXPIRED_SHOWN = 50;

  function $(id) { return document.getElementById(id); }
  function el(tag, props, children) {
    var e = document.createElement(tag);
    if (props) for (var k in props) {
      if (props[k] == null) continue;
      if (k === 'text') e.textContent = props[k];
      else if (k === 'cls') e.className = props[k];
      else if (k === 'onclick') e.addEventListener('click', props[k]);
      else if (k === 'value') e.value = props[k];
      else e.setAttribute(k, props[k]);
    }
    (children || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function store(kind) { try { return kind === 'local' ? window.localStorage : window.sessionStorage; } catch (e) { return null; } }
  function getPref(key) { var s = store('local'); try { return s ? s.getItem(key) : null; } catch (e) { return null; } }
  function setPref(key, v) { var s = store('local'); try { if (!s) return; if (v == null) s.removeItem(key); else s.setItem(key, v); } catch (e) { /* private mode: not remembered */ } }

  // ---- theme: the system's (prefers-color-scheme) unless the toggle chose the other one (remembered)
  function systemTheme() { return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'; }
  function theme() { var t = getPref(THEME); return t === 'dark' || t === 'light' ? t : systemTheme(); }
  function applyTheme() {
    var t = getPref(THEME);
    if (t === 'dark' || t === 'light') document.documentElement.setAttribute('data-theme', t);
    else document.documentElement.removeAttribute('data-theme');
    var b = $('theme-toggle');
    if (b) {
      var dark = theme() === 'dark';
      b.textContent = dark ? 'Light mode' : 'Dark mode';
      b.setAttribute('aria-pressed', String(dark));
      b.title = (t ? 'Chosen here (remembered in this browser)' : 'Following the system setting') + '; click for ' + (dark ? 'light' : 'dark');
    }
  }
  function toggleTheme() {
    var next = theme() === 'dark' ? 'light' : 'dark';
    // Back to the system's choice when the toggle lands on it: follows the system again.
    setPref(THEME, next === systemTheme() ? null : next);
    applyTheme();
  }
  applyTheme();

  // ---- time
  function fmtTime(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }
  function fmtMs(ms) {
    if (typeof ms !== 'number') return String(ms);
    if (ms % 3600000 === 0 && ms > 0) return ms / 3600000 + 'h';
    if (ms % 60000 === 0 && ms > 0) return ms / 60000 + 'm';
    if (ms % 1000 === 0) return ms / 1000 + 's';
    return ms + 'ms';
  }
  // 95 minutes -> 1h35m; the two largest units, as the CLI prints them.
  function fmtDur(ms) {
    if (!(ms >= 0)) return '-';
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    s = s % 60;
    if (d) return d + 'd' + h + 'h';
    if (h) return h + 'h' + m + 'm';
    if (m) return m + 'm' + s + 's';
    return s + 's';
  }
  // Prometheus durations as amtool reads them: 2h, 90m, 1d12h, 2w.
  var DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
  var UNIT_MS = [31536000000, 604800000, 86400000, 3600000, 60000, 1000];
  function parseDuration(text) {
    var t = String(text || '').trim();
    var m = t ? DURATION.exec(t) : null;
    if (!m) return null;
    var ms = 0;
    for (var i = 0; i < UNIT_MS.length; i++) if (m[i + 1]) ms += Number(m[i + 1]) * UNIT_MS[i];
    return ms;
  }
  // A time typed in the form: ISO 8601 or the dashboard's own 'YYYY-MM-DD HH:MM[:SS]Z'; UTC when no zone.
  function parseTime(text) {
    var t = String(text || '').trim().replace(' ', 'T');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i.test(t)) return null;
    if (!/(Z|[+-]\d{2}:\d{2})$/i.test(t)) t += 'Z';
    var ms = Date.parse(t);
    return isNaN(ms) ? null : ms;
  }
  function relText(iso) {
    var t = Date.parse(iso);
    if (isNaN(t)) return String(iso);
    var d = Date.now() - t;
    if (Math.abs(d) < 5000) return 'just now';
    return d >= 0 ? fmtDur(d) + ' ago' : 'in ' + fmtDur(-d);
  }
  // A time shown relative ("5m3s ago"), the absolute UTC and local time on hover; kept current by tick().
  function rel(iso, prefix) {
    var d = new Date(iso);
    return el('time', { cls: 'rel', datetime: isNaN(d.getTime()) ? null : d.toISOString(), 'data-at': iso, 'data-prefix': prefix || '',
      title: isNaN(d.getTime()) ? null : fmtTime(iso) + ' (' + d.toLocaleString() + ')', text: (prefix || '') + relText(iso) });
  }
  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll('time.rel'), function (t) {
      t.textContent = t.getAttribute('data-prefix') + relText(t.getAttribute('data-at'));
    });
  }
  function labelChips(labels, skip) {
    var box = el('span', { cls: 'labels' });
    Object.keys(labels || {}).sort().forEach(function (k) {
      if (k === skip) return;
      box.appendChild(el('span', { cls: 'label', text: k + '=' + labels[k] }));
    });
    return box;
  }
  // Only http(s) URLs become links: a javascript: or data: URL in an annotation stays text.
  function safeUrl(u) {
    if (typeof u !== 'string' || !u) return null;
    try { var x = new URL(u, location.href); return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null; } catch (e) { return null; }
  }
  function extLink(u, text, cls) {
    var href = safeUrl(u);
    return href ? el('a', { href: href, cls: cls, target: '_blank', rel: 'noopener noreferrer', title: u, text: text }) : null;
  }

  // ---- severity, from the "severity" label (common synonyms folded in)
  var SEVERITY = { critical: 4, error: 4, page: 4, fatal: 4, emergency: 4, alert: 4, high: 4, major: 4,
    warning: 3, warn: 3, ticket: 3, medium: 3, minor: 3, info: 2, informational: 2, notice: 2, low: 2 };
  var SEV_NAME = { 4: 'critical', 3: 'warning', 2: 'info', 1: 'none' };
  function sevRank(labels) { var v = labels && labels.severity; return (v && SEVERITY[String(v).toLowerCase()]) || 1; }

  // ---- errors: every failed action and every failed read is shown until it is dismissed or succeeds
  // An Alertmanager-style string body, or Herald's {error, field}; a 403 reads "not allowed: …".
  function failMsg(r) {
    var detail = typeof r.data === 'string' && r.data ? r.data : r.data && r.data.error ? r.data.error : '';
    if (r.status === 403) return 'not allowed: ' + (detail || 'HTTP 403');
    if (r.status === 0) return detail || 'network error';
    return 'HTTP ' + r.status + (detail ? ': ' + detail : '');
  }
  function apiError(what, r) { return what + ': ' + failMsg(r) + (r.data && r.data.field ? ' (field ' + r.data.field + ')' : ''); }
  function setError(key, msg) {
    if (msg) state.errors[key] = msg; else delete state.errors[key];
    var keys = Object.keys(state.errors);
    var box = $('app-error');
    clear($('app-error-text'));
    keys.forEach(function (k) { $('app-error-text').appendChild(el('div', { 'data-key': k, text: state.errors[k] })); });
    box.hidden = !keys.length;
  }
  function showError(msg) { setError('action', msg); }
  function canWrite() { return state.role !== 'viewer'; }

  function authHeaders() {
    var h = {}, t = sessionStorage.getItem(TOKEN);
    if (t) h.authorization = 'Bearer ' + t;
    return h;
  }
  // Every request answers {status, ok, data}; a network failure is status 0 with its message.
  function api(method, path, body) {
    var headers = authHeaders();
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
          if (res.status === 401 && state.mode && (path.indexOf('/api/v1/') === 0 || path.indexOf('/api/v2/silence') === 0)) {
            if (state.mode.login) logout('Your session has ended: sign in again.');
            else recheckMode();
          }
          return { status: res.status, ok: res.ok, data: data };
        });
      }, function (e) { return { status: 0, ok: false, data: { error: 'network error: ' + (e && e.message || e) } }; });
  }

  // Tenants configured by a reload while the page ran without a login: ask for one from now on.
  function recheckMode() {
    fetch('/ui/mode.json', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (mode) {
      if (!mode || !mode.login || state.mode.login) return;
      state.mode = mode;
      logout('Tenants are configured now: sign in with a tenant user.');
    }).catch(function () { /* the failed read is shown by its caller */ });
  }

  // ---- login / logout (only once tenants exist: without them the APIs are open, as Alertmanager's)
  function signedIn() { return !!(state.mode && (!state.mode.login || sessionStorage.getItem(TOKEN))); }
  function showApp(on) {
    $('login-view').hidden = on;
    $('app-view').hidden = !on;
    $('logout').hidden = !on || !state.mode.login;
    $('tab-sessions').hidden = !state.mode.login;
    $('who').textContent = on ? (state.mode.login ? sessionStorage.getItem(WHO) || '' : 'no login: tenants are not configured') : '';
    if (on) { loadRole().then(function () { select(state.view); schedule(); connectEvents(); }); }
    else { state.role = null; stopTimers(); }
  }
  function stopTimers() {
    if (state.timer) { clearInterval(state.timer); state.timer = null; }
    disconnectEvents();
  }
  // The session's role and user, from the sessions list (the current one): decides which write buttons show.
  function loadRole() {
    if (!state.mode.login) { state.role = 'admin'; return Promise.resolve(); }
    return api('GET', '/api/v1/sessions').then(function (r) {
      var me = r.ok && r.data && r.data.sessions ? r.data.sessions.filter(function (x) { return x.current; })[0] : null;
      state.role = me ? me.role : 'unknown';
      if (me && !sessionStorage.getItem(USER)) sessionStorage.setItem(USER, me.username);
    });
  }
  function logout(msg) {
    var token = sessionStorage.getItem(TOKEN);
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(WHO);
    sessionStorage.removeItem(USER);
    if (token && !msg) fetch('/api/v1/auth/logout', { method: 'POST', headers: { authorization: 'Bearer ' + token } }).catch(function () {});
    $('login-error').textContent = msg || '';
    state.data = null;
    showApp(false);
  }
  function onLogin(ev) {
    ev.preventDefault();
    var body = { tenant: $('login-tenant').value, username: $('login-username').value, password: $('login-password').value };
    $('login-error').textContent = '';
    $('login-submit').disabled = true;
    fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; }); })
      .then(function (r) {
        $('login-submit').disabled = false;
        if (r.status !== 200 || !r.data.token) {
          $('login-error').textContent = r.status === 429 ? 'Too many attempts: try again later.' : 'Sign-in failed: ' + (r.data.error || 'HTTP ' + r.status);
          return;
        }
        $('login-password').value = '';
        sessionStorage.setItem(TOKEN, r.data.token);
        sessionStorage.setItem(WHO, body.username + ' @ ' + body.tenant);
        sessionStorage.setItem(USER, body.username);
        showApp(true);
      })
      .catch(function (e) { $('login-submit').disabled = false; $('login-error').textContent = 'Sign-in failed: ' + e.message; });
  }

  // ---- views
  var LOADERS = { groups: function () { return loadGroups(); }, alerts: function () { return loadAlerts(); },
    silences: function () { return loadSilences(); }, history: function () { return loadHistory(); },
    sessions: function () { return loadSessions(); }, cluster: function () { return loadCluster(); }, queue: function () { return loadQueue(); } };
  function select(view) {
    if (view !== 'silences') state.focusSilence = null;
    state.view = view;
    Array.prototype.forEach.call(document.querySelectorAll('#tabs button'), function (b) {
      var on = b.getAttribute('data-view') === view;
      b.classList.toggle('active', on);
      b.setAttribute('aria-selected', String(on));
    });
    Array.prototype.forEach.call(document.querySelectorAll('.view'), function (v) { v.hidden = v.id !== 'view-' + view; });
    showError('');
    refresh();
  }
  function refresh() {
    if (!signedIn()) return;
    // A click while a read is in flight (tab switch, a link, an action done) runs once that read ends.
    if (state.busy) { state.again = true; return; }
    state.busy = true;
    Promise.resolve().then(LOADERS[state.view]).then(function () {
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    }).catch(function (e) { setError('load', String(e && e.message || e)); }).then(function () {
      state.busy = false;
      if (state.again) { state.again = false; refresh(); }
    });
  }
  function schedule() {
    if (state.timer) clearInterval(state.timer);
    state.timer = setInterval(function () { if (!document.hidden) refresh(); }, state.live ? SAFETY_MS : POLL_MS);
  }

  // ---- live events: one stream per page (GET /api/v1/events, Server-Sent Events). Read with fetch so the
  // session token goes in the Authorization header (EventSource cannot send one, and a token in the URL
  // would end up in access logs); reconnects with Last-Event-ID, polls while it is down.
  var AFFECTS = { groups: ['alert', 'group', 'silence', 'notification'], alerts: ['alert', 'group', 'silence'],
    silences: ['silence'], history: ['notification'], queue: ['notification'] };
  function setLive(on, why) {
    var sh = state.share;
    if (sh && sh.leader) sh.ch.postMessage({ type: 'live', on: on, why: why || '' });
    var was = state.live;
    state.live = on;
    var b = $('live');
    b.textContent = on ? 'live' : 'polling every ' + POLL_MS / 1000 + 's';
    b.className = on ? 'live on' : 'live';
    b.title = on ? 'Updates arrive as they happen (Server-Sent Events)' : 'Live updates unavailable' + (why ? ': ' + why : '') + '; reading the lists every ' + POLL_MS / 1000 + 's';
    if (was !== on && state.timer) schedule();
  }
  function disconnectEvents() {
    var sh = state.share;
    if (sh) {
      state.share = null;
      sh.ch.close();
      if (sh.release) sh.release(); // the lock passes to another tab of this user
    }
    if (state.streamTimer) { clearTimeout(state.streamTimer); state.streamTimer = null; }
    if (state.stream) { var s = state.stream; state.stream = null; s.abort(); }
    setLive(false);
  }
  // Tabs of one user share one stream: a browser opens at most 6 HTTP/1.1 connections per host and an
  // open stream holds one, so a seventh tab (or the reads of a sixth) would wait. The tab holding the Web
  // Lock named after the signed-in identity reads the stream and posts each event block on a
  // BroadcastChannel of that name; the other tabs listen. When it closes or signs out the lock passes to
  // a waiting tab, which connects with the last event id it heard (Last-Event-ID: nothing is missed).
  function connectEvents() {
    if (state.share || state.stream || !signedIn()) return;
    if (typeof BroadcastChannel === 'undefined' || !navigator.locks || !navigator.locks.request) { openStream(); return; }
    var name = 'herald-events:' + (state.mode.login ? sessionStorage.getItem(WHO) || '' : '-');
    var sh = { ch: new BroadcastChannel(name), leader: false, release: null, heard: false };
    state.share = sh;
    sh.ch.onmessage = function (m) {
      var d = m.data || {};
      if (state.share !== sh) return;
      if (sh.leader) {
        if (d.type === 'hello') sh.ch.postMessage({ type: 'live', on: state.live, why: '' });
        return;
      }
      if (d.type === 'live') {
        // Back to live after an outage of the stream: read once what was missed (not at the first answer).
        var back = d.on && !state.live && sh.heard;
        sh.heard = true;
        setLive(!!d.on, d.why);
        if (back) refresh();
      }
      else if (d.type === 'block' && typeof d.block === 'string') onBlock(d.block);
    };
    sh.ch.postMessage({ type: 'hello' }); // the stream's tab answers with its state
    navigator.locks.request(name, function () {
      if (state.share !== sh) return null; // signed out while waiting: let the next tab have it
      sh.leader = true;
      openStream();
      return new Promise(function (resolve) { sh.release = resolve; });
    }).catch(function () { /* the lock could not be had: this tab keeps listening */ });
  }
  function openStream() {
    if (state.stream || !signedIn() || typeof AbortController === 'undefined' || typeof TextDecoder === 'undefined') return;
    var ctrl = new AbortController();
    state.stream = ctrl;
    var headers = authHeaders();
    headers.accept = 'text/event-stream';
    if (state.lastEventId) headers['last-event-id'] = state.lastEventId;
    fetch('/api/v1/events', { headers: headers, signal: ctrl.signal, cache: 'no-store' }).then(function (res) {
      if (!res.ok || !res.body) { var err = new Error('HTTP ' + res.status); err.status = res.status; throw err; }
      setLive(true);
      state.streamBackoff = 1000;
      // Anything missed while the stream was down is read once now.
      if (state.lastEventId === null) state.lastEventId = '';
      else refresh();
      var reader = res.body.getReader(), dec = new TextDecoder(), buf = '';
      function pump() {
        return reader.read().then(function (x) {
          if (x.done) throw new Error('the stream ended');
          buf += dec.decode(x.value, { stream: true }).replace(/\r\n?/g, '\n');
          var i;
          while ((i = buf.indexOf('\n\n')) >= 0) { onBlock(buf.slice(0, i)); buf = buf.slice(i + 2); }
          return pump();
        });
      }
      return pump();
    }).catch(function (e) {
      if (state.stream !== ctrl) return; // closed on purpose
      state.stream = null;
      setLive(false, e && e.message);
      // A node without the endpoint (404) is asked again rarely; a broken stream soon, backing off.
      var wait = e && e.status === 404 ? SAFETY_MS : state.streamBackoff;
      state.streamBackoff = Math.min(state.streamBackoff * 2, 30000);
      state.streamTimer = setTimeout(function () { state.streamTimer = null; openStream(); }, wait);
    });
  }
  function onBlock(block) {
    var sh = state.share;
    if (sh && sh.leader) sh.ch.postMessage({ type: 'block', block: block });
    var type = 'message', data = '';
    block.split('\n').forEach(function (line) {
      if (!line || line.charAt(0) === ':') return;
      var c = line.indexOf(':'), f = c < 0 ? line : line.slice(0, c), v = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
      if (f === 'event') type = v;
      else if (f === 'data') data += (data ? '\n' : '') + v;
      else if (f === 'id') state.lastEventId = v;
    });
    var kind = type;
    try { var d = JSON.parse(data); if (d && d.kind) kind = d.kind; } catch (e) { /* a keep-alive or a message without JSON */ }
    state.pending[kind] = true;
    if (state.debounce) return;
    // A burst of events is one re-read (debounced), and a storm at most one re-read per MIN_GAP_MS: the
    // lists are whole, so their cost does not grow with the number of events. A hidden tab reads again
    // when it is shown.
    var wait = Math.max(DEBOUNCE_MS, state.lastLive + MIN_GAP_MS - Date.now());
    state.debounce = setTimeout(function () {
      state.debounce = null;
      var kinds = state.pending;
      state.pending = {};
      if (!document.hidden && (AFFECTS[state.view] || []).some(function (k) { return kinds[k]; })) {
        state.lastLive = Date.now();
        refresh();
      }
    }, wait);
  }

  // ---- triage: groups from three list-level reads (groups, alerts, notifications) plus the dead letters
  function loadGroups() {
    var reads = [
      api('GET', '/api/v1/groups?limit=1000'),
      api('GET', '/api/v1/alerts'),
      state.hasHistory === false ? null : api('GET', '/api/v1/notifications?limit=' + HISTORY_LIMIT),
      state.hasQueue === false ? null : api('GET', '/api/v1/queue'),
    ];
    return Promise.all(reads).then(function (rs) {
      var g = rs[0], a = rs[1], n = rs[2], q = rs[3];
      if (!g.ok || !a.ok) { setError('groups', 'groups: ' + failMsg(g.ok ? a : g)); return; }
      setError('groups', '');
      if (n) state.hasHistory = n.status === 404 ? false : state.hasHistory;
      if (q) state.hasQueue = q.status === 404 ? false : state.hasQueue;
      var last = {}, dead = {};
      if (n && n.ok && n.data && Array.isArray(n.data.notifications)) {
        state.hasHistory = true;
        n.data.notifications.forEach(function (x) { if (!last[x.groupId]) last[x.groupId] = x; });
      }
      if (q && q.ok && q.data && Array.isArray(q.data.deadLetters)) {
        state.hasQueue = true;
        q.data.deadLetters.forEach(function (d) { (dead[d.groupKey] = dead[d.groupKey] || []).push(d); });
      }
      state.data = { groups: g.data.groups, alerts: a.data, truncated: !!g.data.nextCursor, last: last, dead: dead };
      var silenced = a.data.some(function (x) { return x.quiet && x.quiet.silencedBy && x.quiet.silencedBy.length; });
      return (silenced ? api('GET', '/api/v2/silences').then(function (s) {
        if (s.ok && Array.isArray(s.data)) { var m = {}; s.data.forEach(function (x) { m[x.id] = x; }); state.silences = m; }
      }) : Promise.resolve()).then(renderGroups);
    });
  }

  // The toolbar's choices, remembered in this browser.
  function prefs() {
    return { filter: $('g-filter').value, receiver: $('g-receiver').value, quiet: $('g-state').value,
      groupBy: $('g-groupby').value, sort: $('g-sort').value };
  }
  function savePrefs() { setPref(PREFS, JSON.stringify(prefs())); }
  function restorePrefs() {
    var p = null;
    try { p = JSON.parse(getPref(PREFS) || 'null'); } catch (e) { p = null; }
    if (!p) return;
    $('g-filter').value = p.filter || '';
    ensureOption($('g-receiver'), p.receiver);
    ensureOption($('g-groupby'), p.groupBy);
    $('g-state').value = p.quiet || '';
    $('g-sort').value = p.sort || 'severity';
  }
  function ensureOption(sel, v) {
    if (!v) { sel.value = ''; return; }
    if (!Array.prototype.some.call(sel.options, function (o) { return o.value === v; })) sel.appendChild(el('option', { value: v, text: v }));
    sel.value = v;
  }
  function setOptions(sel, first, values) {
    var cur = sel.value;
    clear(sel).appendChild(el('option', { value: '', text: first }));
    values.forEach(function (v) { sel.appendChild(el('option', { value: v, text: v })); });
    ensureOption(sel, cur);
  }

  // Matchers typed in the filter box: severity=critical, alertname=~"Disk.*" instance!="db-1" (commas or
  // spaces between them, braces optional, values quoted when they hold a space or a comma).
  var MATCHER = /^\s*,?\s*("(?:[^"\\]|\\.)*"|[^\s=!~",{}]+)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^\s,"{}]*)\s*/;
  function unquote(s) { return s.charAt(0) === '"' ? JSON.parse(s) : s; }
  function parseMatchers(text) {
    var s = String(text || '').trim().replace(/^\{/, '').replace(/\}$/, '');
    var out = [];
    while (s.replace(/^[\s,]+/, '')) {
      var m = MATCHER.exec(s);
      if (!m) return { error: 'filter: cannot read "' + s.trim().slice(0, 40) + '": use name=value, name!=value, name=~regex or name!~regex' };
      var name, value;
      try { name = unquote(m[1]); value = unquote(m[3]); } catch (e) { return { error: 'filter: bad quoting in ' + m[0].trim() }; }
      var re = null;
      if (m[2].charAt(1) === '~') {
        try { re = new RegExp('^(?:' + value + ')$'); } catch (e) { return { error: 'filter: ' + name + ': not a regular expression: ' + e.message }; }
      }
      out.push({ name: name, op: m[2], value: value, re: re });
      s = s.slice(m[0].length);
    }
    return { matchers: out };
  }
  function matches(ms, labels) {
    return ms.every(function (m) {
      var v = labels[m.name] == null ? '' : String(labels[m.name]);
      var hit = m.re ? m.re.test(v) : v === m.value;
      return m.op.charAt(0) === '!' ? !hit : hit;
    });
  }
  function labelText(labels) { return Object.keys(labels).sort().map(function (k) { return k + '=' + labels[k]; }).join(','); }
  function labelCmp(x, y) { var a = labelText(x), b = labelText(y); return a < b ? -1 : a > b ? 1 : 0; }
  function quietKind(a, group) {
    var q = a.quiet;
    var muted = (q && q.mutedBy && q.mutedBy.length) || (group && group.mutedBy && group.mutedBy.length);
    return { silenced: !!(q && q.silencedBy && q.silencedBy.length), inhibited: !!(q && q.inhibitedBy), muted: !!muted };
  }
  function wantState(want, k) {
    if (!want) return true;
    if (want === 'active') return !k.silenced && !k.inhibited && !k.muted;
    if (want === 'quiet') return k.silenced || k.inhibited || k.muted;
    return k[want];
  }

  // The cards to show: routing groups, or one card per value of the chosen label; filtered, then sorted.
  function buildCards() {
    var d = state.data, p = prefs(), resolved = state.groupState === 'recovery';
    var parsed = parseMatchers(p.filter);
    setError('filter', parsed.error || '');
    $('g-filter').classList.toggle('invalid', !!parsed.error);
    var ms = parsed.matchers || [];
    var byId = {};
    d.groups.forEach(function (g) { byId[g.id] = g; });
    var receivers = {}, labelNames = {};
    d.groups.forEach(function (g) { receivers[g.receiver] = 1; });
    d.alerts.forEach(function (a) { Object.keys(a.labels).forEach(function (k) { labelNames[k] = 1; }); });
    setOptions($('g-receiver'), 'all receivers', Object.keys(receivers).sort());
    setOptions($('g-groupby'), 'routing groups', Object.keys(labelNames).sort());
    var cards = {}, order = [];
    function card(key, base) {
      if (!cards[key]) { cards[key] = base; base.alerts = []; base.seen = {}; order.push(key); }
      return cards[key];
    }
    var total = 0;
    d.alerts.forEach(function (a) {
      if ((a.state === 'resolved') !== resolved) return;
      (a.groups || []).forEach(function (gid) {
        var g = byId[gid];
        if (!g) return;
        total++;
        if (p.receiver && g.receiver !== p.receiver) return;
        if (!matches(ms, a.labels) || !wantState(p.quiet, quietKind(a, g))) return;
        var c;
        if (p.groupBy) {
          var v = a.labels[p.groupBy];
          c = card('by:' + (v == null ? '' : v), { virtual: true, id: null, labels: v == null ? {} : (function () { var o = {}; o[p.groupBy] = v; return o; })(),
            missing: v == null ? p.groupBy : null, receivers: {}, members: {}, mutedBy: [] });
          c.receivers[g.receiver] = 1;
          c.members[g.id] = g;
          if (c.seen[a.fingerprint]) return;
        } else {
          c = card(g.id, { virtual: false, id: g.id, group: g, labels: g.labels, receivers: {}, members: {}, mutedBy: g.mutedBy || [] });
          c.receivers[g.receiver] = 1;
          c.members[g.id] = g;
        }
        c.seen[a.fingerprint] = 1;
        c.alerts.push({ alert: a, group: g });
      });
    });
    var list = order.map(function (k) { return cards[k]; });
    list.forEach(function (c) {
      c.severity = 1; c.oldest = Infinity;
      c.alerts.forEach(function (x) {
        c.severity = Math.max(c.severity, sevRank(x.alert.labels));
        c.oldest = Math.min(c.oldest, Date.parse(x.alert.startsAt) || Infinity);
      });
      if (!c.virtual) c.severity = Math.max(c.severity, c.group.labels.severity ? sevRank(c.group.labels) : 1);
      c.name = Object.keys(c.labels).sort().map(function (k) { return k + '=' + c.labels[k]; }).join(',');
      c.alerts.sort(function (x, y) { return sevRank(y.alert.labels) - sevRank(x.alert.labels) || (Date.parse(x.alert.startsAt) - Date.parse(y.alert.startsAt)) || labelCmp(x.alert.labels, y.alert.labels); });
    });
    var byName = function (x, y) { return x.name < y.name ? -1 : x.name > y.name ? 1 : 0; };
    var sorts = {
      severity: function (x, y) { return y.severity - x.severity || x.oldest - y.oldest || byName(x, y); },
      age: function (x, y) { return x.oldest - y.oldest || byName(x, y); },
      newest: function (x, y) { return y.oldest - x.oldest || byName(x, y); },
      size: function (x, y) { return y.alerts.length - x.alerts.length || y.severity - x.severity || byName(x, y); },
      name: byName,
    };
    list.sort(sorts[p.sort] || sorts.severity);
    return { cards: list, total: total, filtered: !!(ms.length || p.receiver || p.quiet) };
  }

  function collapsedSet() { try { return JSON.parse(sessionStorage.getItem(COLLAPSED) || '{}') || {}; } catch (e) { return {}; } }
  function setCollapsed(key, on) {
    var s = collapsedSet();
    if (on) s[key] = 1; else delete s[key];
    try { sessionStorage.setItem(COLLAPSED, JSON.stringify(s)); } catch (e) { /* not remembered */ }
  }
  function cardKey(c) { return c.virtual ? 'by:' + prefs().groupBy + '=' + (c.labels[prefs().groupBy] || '') : c.id; }

  function renderGroups() {
    if (!state.data || state.view !== 'groups') return;
    var built = buildCards(), box = clear($('groups')), shownAlerts = 0;
    state.renders = (state.renders || 0) + 1;
    box.setAttribute('data-rendered', String(state.renders));
    var collapsed = collapsedSet();
    built.cards.forEach(function (c) { shownAlerts += c.alerts.length; box.appendChild(groupCard(c, !!collapsed[cardKey(c)])); });
    if (!built.cards.length) {
      box.appendChild(el('p', { cls: 'muted empty', text: built.filtered ? 'No ' + state.groupState + ' alerts match the filters.' : 'No ' + state.groupState + ' groups.' }));
    }
    var sum = clear($('groups-summary'));
    sum.appendChild(document.createTextNode(built.cards.length + (prefs().groupBy ? ' by ' + prefs().groupBy : ' group') + (built.cards.length === 1 ? '' : 's') +
      ' · ' + shownAlerts + ' alert' + (shownAlerts === 1 ? '' : 's') + (built.filtered ? ' (filtered)' : '')));
    if (built.filtered) sum.appendChild(el('button', { type: 'button', cls: 'link', id: 'g-clear', text: 'clear filters', onclick: function () {
      $('g-filter').value = ''; $('g-receiver').value = ''; $('g-state').value = ''; savePrefs(); renderGroups();
    } }));
    if (state.data.truncated) sum.appendChild(el('span', { cls: 'warn-text', text: ' · only the first 1000 groups are read' }));
  }

  // A dead letter's last error: "webhook[0] clientError: HTTP 400: …" (the status once).
  function deadError(e) {
    var msg = String(e.message || '');
    if (e.status && msg.indexOf(String(e.status)) < 0) msg = 'HTTP ' + e.status + (msg ? ': ' + msg : '');
    return [e.integration, e.reason].filter(Boolean).join(' ') + (msg ? ': ' + msg : '');
  }
  var OUTCOME = { delivered: 'delivered', retrying: 'retrying', failed: 'dead-lettered', stalled: 'stalled' };
  // The group's last notification (from the history), and its dead letters waiting for a retry.
  function notificationLine(c) {
    var last = null, deads = [];
    Object.keys(c.members).forEach(function (id) {
      var n = state.data.last[id];
      if (n && (!last || Date.parse(n.at) > Date.parse(last.at))) last = n;
      deads = deads.concat(state.data.dead[c.members[id].groupKey] || []);
    });
    var p = el('p', { cls: 'last-notification' });
    if (last) {
      var out = OUTCOME[last.outcome] || last.outcome;
      p.append('last notification ', rel(last.at), ' · ' + (last.reason || 'sent') + ' · to ', el('b', { text: last.receiver + (last.integration ? ' (' + last.integration + ')' : '') }),
        ' · ', el('span', { cls: 'outcome ' + out, text: out }));
      if (last.attempt > 1) p.append(' · attempt ' + last.attempt);
      if (last.statusCode && String(last.error || '').indexOf(String(last.statusCode)) < 0) p.append(' · HTTP ' + last.statusCode);
      if (last.error) p.append(el('span', { cls: 'muted', text: ' · ' + last.error }));
      if (c.id) p.append(' · ', el('a', { href: '#history', cls: 'history-link', text: 'history', onclick: function (ev) { ev.preventDefault(); openHistory(c.id, ''); } }));
    } else if (state.hasHistory) {
      p.append(el('span', { cls: 'muted', text: 'no notification in the recent history' }));
    } else {
      p.append(el('span', { cls: 'muted', text: 'last notification: no notification history on this node' }));
    }
    if (deads.length) {
      deads.sort(function (x, y) { return Date.parse(y.failedAt) - Date.parse(x.failedAt); });
      var d = deads[0], e = d.lastError;
      var queue = el('a', { href: '#queue', cls: 'queue-link', text: 'queue', onclick: function (ev) { ev.preventDefault(); select('queue'); } });
      var count = deads.length === 1 ? '1 dead letter' : deads.length + ' dead letters';
      // The history already told the failure: only how many wait for a retry.
      if (last && last.outcome === 'failed') p.append(el('br'), count + ' waiting for a retry · ', queue);
      else p.append(el('br'), el('span', { cls: 'outcome dead-lettered', text: count }), ' ', rel(d.failedAt, 'newest '), e ? ': ' + deadError(e) : '', ' · ', queue);
    }
    return p;
  }

  // Why nothing is sent for an alert: the quiet reasons the admin API computes (inhibition, time intervals, silences).
  function inhibitText(ib) {
    var src = ib.sourceLabels || {};
    return 'inhibited by ' + (src.alertname || ib.source) +
      Object.keys(src).filter(function (k) { return k !== 'alertname'; }).sort().map(function (k) { return ' ' + k + '=' + src[k]; }).join('') +
      ' (rule ' + ib.rule + ')';
  }
  function quietText(q) {
    if (!q) return '';
    var parts = [];
    if (q.inhibitedBy) parts.push(inhibitText(q.inhibitedBy));
    if (q.mutedBy && q.mutedBy.length) parts.push('muted by time interval ' + q.mutedBy.join(', '));
    if (q.silencedBy && q.silencedBy.length) parts.push('silenced by ' + q.silencedBy.join(', '));
    return parts.join(' · ');
  }
  // The quiet reasons as text: each silence id a link to it in the Silences tab, with its comment and
  // author; the inhibiting source's fingerprint.
  function quietNode(q) {
    var box = el('div', { cls: 'why-quiet' });
    var first = true;
    function sep() { if (!first) box.appendChild(document.createTextNode(' · ')); first = false; }
    if (q.inhibitedBy) { sep(); box.append(inhibitText(q.inhibitedBy), ' ', el('span', { cls: 'mono fp', title: 'fingerprint of the inhibiting alert', text: q.inhibitedBy.source })); }
    if (q.mutedBy && q.mutedBy.length) { sep(); box.append('muted by time interval ' + q.mutedBy.join(', ')); }
    if (q.silencedBy && q.silencedBy.length) {
      sep();
      box.appendChild(document.createTextNode('silenced by '));
      q.silencedBy.forEach(function (id, i) {
        if (i) box.appendChild(document.createTextNode(', '));
        box.appendChild(silenceLink(id));
        var s = state.silences[id];
        if (s) box.appendChild(el('span', { cls: 'silence-comment', text: ' (' + s.comment + ' — ' + s.createdBy + ')' }));
      });
    }
    return box;
  }
  function silenceLink(id) {
    return el('a', { href: '#silence=' + encodeURIComponent(id), cls: 'silence-link mono', 'data-silence': id, text: id, onclick: function (ev) {
      ev.preventDefault();
      openSilence(id);
    } });
  }
  function openSilence(id) {
    state.focusSilence = id;
    state.scrolled = false;
    select('silences');
    state.focusSilence = id;
  }
  function stateCell(a, group) {
    var kids = [el('span', { cls: 'badge ' + a.state, text: a.state })];
    if (a.quiet) kids.push(' ', el('span', { cls: 'badge quiet', title: quietText(a.quiet), text: a.quiet.inhibitedBy ? 'inhibited' : a.quiet.silencedBy.length ? 'silenced' : 'muted' }));
    else if (group && group.mutedBy && group.mutedBy.length) kids.push(' ', el('span', { cls: 'badge quiet', title: 'muted by time interval ' + group.mutedBy.join(', '), text: 'muted' }));
    return el('td', { 'data-label': 'state' }, kids);
  }
  // Annotations: summary, description, the runbook and the alert's source as links, the rest as text.
  function annotationsNode(a) {
    var an = a.annotations || {}, box = el('div', { cls: 'annotations' });
    if (an.summary) box.appendChild(el('div', { cls: 'summary', text: an.summary }));
    if (an.description) box.appendChild(el('div', { cls: 'description', text: an.description }));
    var links = [extLink(an.runbook_url, 'runbook', 'runbook'), extLink(a.generatorURL, 'source', 'generator')].filter(Boolean);
    if (an.runbook_url && !safeUrl(an.runbook_url)) box.appendChild(el('div', { cls: 'muted', text: 'runbook_url: ' + an.runbook_url }));
    if (links.length) {
      var l = el('div', { cls: 'links' });
      links.forEach(function (x, i) { if (i) l.append(' · '); l.appendChild(x); });
      box.appendChild(l);
    }
    var rest = Object.keys(an).filter(function (k) { return k !== 'summary' && k !== 'description' && k !== 'runbook_url'; }).sort();
    if (rest.length) box.appendChild(el('div', { cls: 'muted other-annotations', text: rest.map(function (k) { return k + ': ' + an[k]; }).join(' · ') }));
    return box;
  }
  function alertRow(x, virtual) {
    var a = x.alert;
    return el('tr', { cls: 'alert-row ' + a.state + (a.quiet ? ' quiet' : '') + ' sev-' + SEV_NAME[sevRank(a.labels)], 'data-fingerprint': a.fingerprint }, [
      el('td', { cls: 'alertname', 'data-label': 'alert', text: a.labels.alertname || '' }),
      stateCell(a, x.group),
      el('td', { 'data-label': 'labels' }, [labelChips(a.labels, 'alertname'), virtual ? el('div', { cls: 'muted', text: 'receiver ' + x.group.receiver }) : null]),
      el('td', { 'data-label': a.state === 'resolved' ? 'ended' : 'started' }, [rel(a.state === 'resolved' ? a.endsAt : a.startsAt)]),
      el('td', { 'data-label': 'details' }, [annotationsNode(a), a.quiet ? quietNode(a.quiet) : null]),
      el('td', { cls: 'actions' }, [canWrite() && a.state !== 'resolved' ? silenceButton('alert', a.labels) : null]),
    ]);
  }
  function groupCard(c, collapsed) {
    var key = cardKey(c), sev = SEV_NAME[c.severity];
    var resolved = state.groupState === 'recovery';
    var quiet = { silenced: 0, inhibited: 0, muted: 0 };
    c.alerts.forEach(function (x) { var k = quietKind(x.alert, x.group); Object.keys(quiet).forEach(function (n) { if (k[n]) quiet[n]++; }); });
    var toggle = el('button', { type: 'button', cls: 'toggle', 'aria-expanded': String(!collapsed), title: collapsed ? 'Expand' : 'Collapse', text: collapsed ? '▸' : '▾' });
    var body = el('div', { cls: 'group-body' }, [
      el('table', { cls: 'alerts' }, [
        el('thead', {}, [el('tr', {}, ['alertname', 'state', 'labels', resolved ? 'ended' : 'started', 'details', ''].map(function (h) { return el('th', { text: h }); }))]),
        el('tbody', {}, c.alerts.map(function (x) { return alertRow(x, c.virtual); })),
      ]),
    ]);
    body.hidden = collapsed;
    var art = el('article', { cls: 'group ' + state.groupState + ' sev-' + sev + (collapsed ? ' collapsed' : ''), 'data-group': c.id || key, 'data-severity': sev }, [
      el('h3', {}, [toggle, c.missing ? el('span', { cls: 'labels' }, [el('span', { cls: 'label', text: 'no ' + c.missing })]) : labelChips(c.labels),
        el('span', { cls: 'sev-badge ' + sev, text: sev }),
        canWrite() && !resolved && !c.missing && Object.keys(c.labels).length ? silenceButton('group', c.labels) : null,
        el('span', { cls: 'count ' + state.groupState, title: c.alerts.length + (resolved ? ' resolved' : ' firing') + ' alerts shown', text: String(c.alerts.length) })]),
      groupMeta(c),
      c.mutedBy && c.mutedBy.length ? el('p', { cls: 'why-quiet', text: 'Notifications muted now by time interval ' + c.mutedBy.join(', ') }) : null,
      quiet.silenced + quiet.inhibited + quiet.muted ? el('p', { cls: 'quiet-summary', text: ['silenced', 'inhibited', 'muted'].filter(function (n) { return quiet[n]; }).map(function (n) { return quiet[n] + ' ' + n; }).join(' · ') + ' of ' + c.alerts.length }) : null,
      notificationLine(c),
      body,
    ]);
    toggle.addEventListener('click', function () {
      var now = !body.hidden;
      body.hidden = now;
      art.classList.toggle('collapsed', now);
      toggle.textContent = now ? '▸' : '▾';
      toggle.title = now ? 'Expand' : 'Collapse';
      toggle.setAttribute('aria-expanded', String(!now));
      setCollapsed(key, now);
    });
    return art;
  }
  function groupMeta(c) {
    var rs = Object.keys(c.receivers).sort();
    var p = el('p', { cls: 'meta' }, ['receiver' + (rs.length > 1 ? 's ' : ' '), el('b', { text: rs.join(', ') })]);
    if (!c.virtual) {
      var g = c.group, t = g.timers || {};
      if (g.timers) p.append(' · group_wait ' + fmtMs(t.groupWait) + ' · group_interval ' + fmtMs(t.groupInterval) + ' · repeat_interval ' + fmtMs(t.repeatInterval));
      p.append(' · firing ' + g.firing + ' · resolved ' + g.recovery + ' · group since ', rel(g.createdAt));
    } else {
      p.append(' · ' + Object.keys(c.members).length + ' routing group' + (Object.keys(c.members).length === 1 ? '' : 's'));
    }
    if (isFinite(c.oldest)) p.append(' · oldest alert ', rel(new Date(c.oldest).toISOString()));
    return p;
  }
  function setAllCollapsed(on) {
    Array.prototype.forEach.call(document.querySelectorAll('#groups article.group'), function (a) {
      var t = a.querySelector('button.toggle');
      if ((t.getAttribute('aria-expanded') === 'true') === on) t.click();
    });
  }

  // Splits {a="x", b=~"y,z"} into matchers at commas outside quotes; the API parses each one.
  function splitMatchers(text) {
    var s = text.trim().replace(/^\{/, '').replace(/\}$/, '');
    var out = [], cur = '', quoted = false;
    for (var i = 0; i < s.length; i++) {
      var c = s[i];
      if (c === '\\' && quoted) { cur += c + (s[i + 1] || ''); i++; continue; }
      if (c === '"') quoted = !quoted;
      if (c === ',' && !quoted) { if (cur.trim()) out.push(cur.trim()); cur = ''; continue; }
      cur += c;
    }
    if (cur.trim()) out.push(cur.trim());
    return out;
  }
  function loadAlerts() {
    var qs = splitMatchers(state.filter).map(function (m) { return 'filter=' + encodeURIComponent(m); }).join('&');
    return api('GET', '/api/v1/alerts' + (qs ? '?' + qs : '')).then(function (r) {
      var body = clear($('alerts-table').tBodies[0]);
      if (!r.ok) { $('alerts-count').textContent = ''; showError(apiError('search', r)); return; }
      showError('');
      $('alerts-count').textContent = r.data.length + ' alert' + (r.data.length === 1 ? '' : 's');
      r.data.forEach(function (a) {
        body.appendChild(el('tr', { cls: 'alert-row ' + a.state + (a.quiet ? ' quiet' : '') + ' sev-' + SEV_NAME[sevRank(a.labels)] }, [
          el('td', { cls: 'alertname', 'data-label': 'alert', text: a.labels.alertname || '' }),
          stateCell(a),
          el('td', { 'data-label': 'labels' }, [labelChips(a.labels, 'alertname'), annotationsNode(a), a.quiet ? quietNode(a.quiet) : null]),
          el('td', { 'data-label': 'since' }, [rel(a.startsAt)]),
          el('td', { cls: 'mono', 'data-label': 'groups' }, (a.groups || []).map(function (id) {
            return el('a', { href: '#history', cls: 'group-id', text: id + ' ', title: 'notification history of this group', onclick: function (ev) { ev.preventDefault(); openHistory(id, ''); } });
          })),
        ]));
      });
    });
  }

  // ---- silences (Alertmanager API v2, with the session token)
  var OPS = ['=', '!=', '=~', '!~'];
  function opOf(m) { return (m.isEqual === false ? '!' : '=') + (m.isRegex ? '~' : m.isEqual === false ? '=' : ''); }
  function matcherString(m) { return m.name + opOf(m) + JSON.stringify(m.value); }
  function silenceButton(kind, labels) {
    return el('button', { type: 'button', cls: 'silence-action', 'data-kind': kind, text: kind === 'group' ? 'Silence group…' : 'Silence…',
      title: 'New silence matching ' + (kind === 'group' ? "this group's labels" : "this alert's labels"),
      onclick: function () {
        var ms = Object.keys(labels || {}).sort().map(function (k) { return { name: k, value: labels[k], isRegex: false, isEqual: true }; });
        select('silences');
        openForm(null, ms);
      } });
  }
  function matcherRow(m) {
    var op = el('select', { cls: 'm-op', 'aria-label': 'operator' }, OPS.map(function (o) { return el('option', { value: o, text: o }); }));
    op.value = m ? opOf(m) : '=';
    var row = el('div', { cls: 'matcher-row' }, [
      el('input', { cls: 'm-name', placeholder: 'label name', 'aria-label': 'label name', size: '18', value: m ? m.name : '' }),
      op,
      el('input', { cls: 'm-value', placeholder: 'value or regex', 'aria-label': 'value', size: '30', value: m ? m.value : '' }),
    ]);
    row.appendChild(el('button', { type: 'button', cls: 'm-remove', text: 'Remove', onclick: function () { row.parentNode.removeChild(row); } }));
    return row;
  }
  // Opens the form: a new silence (matchers prefilled from labels), or an edit of silence s.
  function openForm(s, matchers) {
    state.editing = s;
    var box = clear($('silence-matchers'));
    var ms = s ? s.matchers : matchers || [];
    (ms.length ? ms : [null]).forEach(function (m) { box.appendChild(matcherRow(m)); });
    $('silence-form-title').textContent = s ? (s.status.state === 'expired' ? 'Recreate silence ' : 'Edit silence ') + s.id : 'New silence';
    $('silence-form-hint').textContent = s
      ? (s.status.state === 'expired' ? 'An expired silence cannot change: saving creates a new one.'
        : 'Changing the matchers (or the start of an active silence) replaces it: the old one expires and the new one gets a new id.')
      : '';
    $('silence-submit').textContent = s ? 'Save' : 'Create';
    $('silence-duration').value = s ? '' : '2h';
    $('silence-ends').value = s && s.status.state !== 'expired' ? fmtTime(s.endsAt) : '';
    if (!s) updateEnds();
    $('silence-comment').value = s ? s.comment : '';
    $('silence-created-by').value = s ? s.createdBy : sessionStorage.getItem(USER) || '';
    $('silence-form-error').textContent = '';
    $('silence-notice').textContent = '';
    $('silence-form').hidden = false;
    if (s && s.status.state === 'expired') { $('silence-duration').value = '2h'; updateEnds(); }
    $('silence-form').scrollIntoView({ block: 'nearest' });
  }
  function closeForm() { state.editing = null; $('silence-form').hidden = true; $('silence-form-error').textContent = ''; }
  // When the silence starts: a pending one keeps its start, an active one too (same start = updated in
  // place, as Alertmanager decides), a new or expired one starts now.
  function formStart(now) {
    var s = state.editing;
    return s && s.status.state !== 'expired' ? Date.parse(s.startsAt) : now;
  }
  function updateEnds() {
    var d = parseDuration($('silence-duration').value);
    if (d !== null && d > 0) $('silence-ends').value = fmtTime(new Date(Math.max(formStart(Date.now()), Date.now()) + d).toISOString());
  }
  // The postableSilence from the form, or an error message naming what to fix.
  function formSilence() {
    var rows = Array.prototype.slice.call(document.querySelectorAll('#silence-matchers .matcher-row'));
    var matchers = [];
    for (var i = 0; i < rows.length; i++) {
      var name = rows[i].querySelector('.m-name').value.trim();
      var op = rows[i].querySelector('.m-op').value;
      var value = rows[i].querySelector('.m-value').value;
      if (!name && !value) continue;
      if (!name) return { error: 'matcher ' + (i + 1) + ': the label name is empty' };
      matchers.push({ name: name, value: value, isRegex: op.charAt(1) === '~', isEqual: op.charAt(0) === '=' });
    }
    if (!matchers.length) return { error: 'add at least one matcher' };
    var now = Date.now();
    var endsText = $('silence-ends').value;
    var ends = parseTime(endsText);
    var dur = parseDuration($('silence-duration').value);
    if ($('silence-duration').value.trim() && dur === null) return { error: 'duration: use a duration such as 2h, 90m or 1d12h' };
    if (ends === null) return { error: 'ends at: ' + (endsText.trim() ? 'not a time (use 2025-01-31 18:00:00Z)' : 'give a duration or an end time') };
    var comment = $('silence-comment').value;
    if (!comment.trim()) return { error: 'comment: say why (it is shown to everyone who sees the silenced alerts)' };
    var by = $('silence-created-by').value.trim();
    if (!by) return { error: 'created by: must not be empty' };
    var body = { matchers: matchers, startsAt: new Date(formStart(now)).toISOString(), endsAt: new Date(ends).toISOString(), createdBy: by, comment: comment };
    if (state.editing) {
      body.id = state.editing.id;
      if (state.editing.annotations) body.annotations = state.editing.annotations;
    }
    return { body: body };
  }
  function submitSilence(ev) {
    ev.preventDefault();
    var f = formSilence();
    if (f.error) { $('silence-form-error').textContent = f.error; return; }
    var old = state.editing;
    $('silence-submit').disabled = true;
    api('POST', '/api/v2/silences', f.body).then(function (r) {
      $('silence-submit').disabled = false;
      if (!r.ok) { $('silence-form-error').textContent = apiError(old ? 'save' : 'create', r); return; }
      var id = r.data && r.data.silenceID;
      closeForm();
      var n = clear($('silence-notice'));
      if (!old) n.append('Silence ', silenceLink(id), ' created.');
      else if (id !== old.id) n.append('Silence ' + old.id + ' was replaced: the new silence is ', silenceLink(id), old.status.state === 'expired' ? '.' : ' (the old one is expired).');
      else n.append('Silence ', silenceLink(id), ' updated.');
      state.focusSilence = id;
      state.scrolled = false;
      refresh();
    }).catch(function (e) { $('silence-submit').disabled = false; $('silence-form-error').textContent = 'save: ' + e.message; });
  }
  function expireSilence(s, btn) {
    btn.disabled = true;
    api('DELETE', '/api/v2/silence/' + encodeURIComponent(s.id)).then(function (r) {
      if (!r.ok) { btn.disabled = false; showError(apiError('expire ' + s.id, r)); return; }
      clear($('silence-notice')).append('Silence ', silenceLink(s.id), ' expired.');
      refresh();
    }).catch(function (e) { btn.disabled = false; showError('expire: ' + e.message); });
  }
  function whenText(s, now) {
    var st = s.status.state, starts = Date.parse(s.startsAt), ends = Date.parse(s.endsAt);
    if (st === 'pending') return 'starts in ' + fmtDur(starts - now) + ', lasts ' + fmtDur(ends - starts);
    if (st === 'active') return fmtDur(ends - now) + ' left';
    return 'expired ' + fmtDur(now - ends) + ' ago';
  }
  function silenceRow(s, now) {
    var actions = [];
    if (canWrite()) {
      actions.push(el('button', { type: 'button', cls: 'silence-edit', text: s.status.state === 'expired' ? 'Recreate' : 'Edit', onclick: function () { openForm(s); } }));
      if (s.status.state !== 'expired') {
        var b = el('button', { type: 'button', cls: 'silence-expire', text: 'Expire' });
        b.addEventListener('click', function () { expireSilence(s, b); });
        actions.push(' ', b);
      }
    }
    var ann = s.annotations ? Object.keys(s.annotations).sort().map(function (k) { return k + '=' + s.annotations[k]; }).join(' ') : '';
    return el('tr', { cls: 'silence-row ' + s.status.state + (state.focusSilence === s.id ? ' focus' : ''), 'data-silence-id': s.id }, [
      el('td', { 'data-label': 'matchers' }, [el('span', { cls: 'labels' }, s.matchers.map(function (m) { return el('span', { cls: 'label matcher', text: matcherString(m) }); }))]),
      el('td', { cls: 'comment', 'data-label': 'comment' }, [s.comment, ann ? el('div', { cls: 'muted', text: ann }) : null]),
      el('td', { 'data-label': 'created by', text: s.createdBy }),
      el('td', { 'data-label': 'starts', title: fmtTime(s.startsAt), text: fmtTime(s.startsAt) }),
      el('td', { 'data-label': 'ends', title: fmtTime(s.endsAt), text: fmtTime(s.endsAt) }),
      el('td', { cls: 'remaining', 'data-label': 'remaining', text: whenText(s, now) }),
      el('td', { cls: 'mono silence-id', 'data-label': 'id', text: s.id }),
      el('td', { cls: 'actions' }, actions),
    ]);
  }
  function loadSilences() {
    $('silence-new').hidden = !canWrite();
    $('silences-readonly').hidden = canWrite();
    return api('GET', '/api/v2/silences').then(function (r) {
      if (!r.ok || !Array.isArray(r.data)) { showError(apiError('silences', r)); return; }
      var now = Date.now();
      var by = { active: [], pending: [], expired: [] };
      r.data.forEach(function (s) { (by[s.status && s.status.state] || by.expired).push(s); });
      var box = clear($('silences'));
      ['active', 'pending', 'expired'].forEach(function (st) {
        var list = by[st];
        var shown = st === 'expired' ? list.slice(0, EXPIRED_SHOWN) : list;
        var sec = el('section', { cls: 'silences ' + st, 'data-state': st }, [
          el('h3', { text: st.charAt(0).toUpperCase() + st.slice(1) + ' (' + list.length + ')' }),
        ]);
        if (!list.length) sec.appendChild(el('p', { cls: 'muted empty', text: 'No ' + st + ' silences.' }));
        else sec.appendChild(el('table', { cls: 'silences' }, [
          el('thead', {}, [el('tr', {}, ['matchers', 'comment', 'created by', 'starts', 'ends', 'remaining', 'id', ''].map(function (h) { return el('th', { text: h }); }))]),
          el('tbody', {}, shown.map(function (s) { return silenceRow(s, now); })),
        ]));
        if (shown.length < list.length) sec.appendChild(el('p', { cls: 'muted', text: (list.length - shown.length) + ' older expired silences not shown (heraldctl silences --expired lists them all).' }));
        box.appendChild(sec);
      });
      if (state.focusSilence && !state.scrolled) {
        var row = Array.prototype.filter.call(box.querySelectorAll('tr[data-silence-id]'), function (t) { return t.getAttribute('data-silence-id') === state.focusSilence; })[0];
        if (row) { row.scrollIntoView({ block: 'center' }); state.scrolled = true; }
        else { showError('silence ' + state.focusSilence + ' not found'); state.focusSilence = null; }
      }
    });
  }


  function loadSessions() {
    return api('GET', '/api/v1/sessions').then(function (r) {
      var body = clear($('sessions-table').tBodies[0]);
      if (!r.ok) { setError('sessions', 'sessions: ' + failMsg(r)); return; }
      setError('sessions', '');
      $('sessions-scope').textContent = r.data.sessions.length + ' live session(s); scope: ' + r.data.scope + (r.data.scope === 'node' ? ' (memory mode: this node only)' : '');
      r.data.sessions.forEach(function (s) {
        var btn = el('button', { type: 'button', cls: 'revoke', 'data-session': s.id, text: s.current ? 'Revoke (you)' : 'Revoke' });
        btn.addEventListener('click', function () {
          btn.disabled = true;
          api('DELETE', '/api/v1/sessions/' + encodeURIComponent(s.id)).then(function (d) {
            if (d.status === 204) { if (s.current) logout('You revoked your own session.'); else refresh(); }
            else { btn.disabled = false; showError(apiError('revoke', d)); }
          });
        });
        body.appendChild(el('tr', { 'data-session': s.id, cls: s.current ? 'current' : '' }, [
          el('td', { 'data-label': 'user', text: s.username + (s.current ? ' (this session)' : '') }),
          el('td', { 'data-label': 'role', text: s.role }),
          el('td', { 'data-label': 'ip', text: s.ip }),
          el('td', { 'data-label': 'created' }, [rel(s.createdAt)]),
          el('td', { 'data-label': 'last seen' }, [rel(s.lastSeenAt)]),
          el('td', { 'data-label': 'expires' }, [rel(s.expiresAt)]),
          el('td', { cls: 'actions' }, [btn]),
        ]));
      });
    });
  }

  function notAvailable(box, what, r) {
    clear(box).appendChild(el('p', { cls: 'muted na', text: what + ' not available on this node' + (r ? ' (' + failMsg(r) + ')' : '') + '.' }));
  }
  function loadCluster() {
    return api('GET', '/api/v2/status').then(function (r) {
      var box = $('cluster');
      if (!r.ok || !r.data || !r.data.cluster) return notAvailable(box, 'Cluster status', r);
      var c = r.data.cluster;
      clear(box);
      box.appendChild(el('p', {}, ['cluster ', el('b', { text: String(c.name || '') }), ' · status ', el('b', { text: String(c.status || '') }),
        r.data.uptime ? ' · up since ' : '', r.data.uptime ? rel(r.data.uptime) : null]));
      box.appendChild(el('table', {}, [
        el('thead', {}, [el('tr', {}, [el('th', { text: 'node' }), el('th', { text: 'address' })])]),
        el('tbody', {}, (c.peers || []).map(function (p) { return el('tr', {}, [el('td', { 'data-label': 'node', text: String(p.name) }), el('td', { 'data-label': 'address', text: String(p.address || '') })]); })),
      ]));
    });
  }
  // A write that can be refused: the button is disabled while it runs; a refusal (a viewer's 403
  // included) is shown beside the button and in the banner, never dropped.
  function action(btn, what, method, path, done) {
    btn.disabled = true;
    var note = btn.parentNode && btn.parentNode.querySelector('.action-error');
    if (note) note.textContent = '';
    return api(method, path).then(function (x) {
      btn.disabled = false;
      if (!x.ok) {
        var msg = apiError(what, x);
        showError(msg);
        if (!note && btn.parentNode) { note = el('span', { cls: 'action-error error', role: 'alert' }); btn.parentNode.insertBefore(note, btn.nextSibling); }
        if (note) note.textContent = ' ' + msg;
        return;
      }
      showError('');
      if (done) done(x);
      refresh();
    });
  }
  function loadQueue() {
    return api('GET', '/api/v1/queue').then(function (r) {
      var box = $('queue');
      if (!r.ok || !r.data) return notAvailable(box, 'Queue and dead letters', r);
      clear(box);
      var counts = r.data.counts || {};
      box.appendChild(el('p', {}, Object.keys(counts).map(function (k) { return el('span', { cls: 'label', text: k + ' ' + counts[k] }); })));
      var dead = r.data.deadLetters || [];
      if (!dead.length) box.appendChild(el('p', { cls: 'muted empty', text: 'No dead letters: every notification was delivered or is still being retried.' }));
      if (dead.length) {
        var all = el('button', { type: 'button', id: 'retry-all', text: 'Retry all (' + dead.length + ')', title: canWrite() ? null : 'needs the admin role' });
        all.addEventListener('click', function () { action(all, 'retry all', 'POST', '/api/v1/queue/dead-letters/retry-all'); });
        box.appendChild(el('div', { cls: 'toolbar' }, [all]));
      }
      dead.forEach(function (d) {
        var err = d.lastError ? deadError(d.lastError) : '';
        var b = el('button', { type: 'button', cls: 'retry', 'data-dead': d.id, text: 'Retry', title: canWrite() ? null : 'needs the admin role' });
        b.addEventListener('click', function () { action(b, 'retry', 'POST', '/api/v1/queue/dead-letters/' + encodeURIComponent(d.id) + '/retry'); });
        box.appendChild(el('div', { cls: 'dead', 'data-dead': d.id }, [
          el('strong', { cls: 'group-key', text: d.groupKey }),
          el('p', {}, ['receiver ' + d.receiver + ' · ' + d.state + ' · ' + d.attempts + ' attempts · failed ', rel(d.failedAt)]),
          err ? el('p', { cls: 'dead-error', text: err }) : null,
          el('div', { cls: 'toolbar' }, [b]),
        ]));
      });
    });
  }

  // ---- notification history (GET /api/v1/notifications): every send attempt and its outcome, newest first
  function openHistory(group, receiver) {
    state.history = { group: group || '', receiver: receiver || '' };
    $('h-group').value = state.history.group;
    $('h-receiver').value = state.history.receiver;
    select('history');
  }
  function groupName(id) {
    var g = state.data && state.data.groups.filter(function (x) { return x.id === id; })[0];
    return g ? Object.keys(g.labels).sort().map(function (k) { return k + '=' + g.labels[k]; }).join(' ') : '';
  }
  function loadHistory() {
    var h = state.history, qs = ['limit=' + HISTORY_LIMIT];
    if (h.group) qs.push('group=' + encodeURIComponent(h.group));
    if (h.receiver) qs.push('receiver=' + encodeURIComponent(h.receiver));
    return api('GET', '/api/v1/notifications?' + qs.join('&')).then(function (r) {
      var body = clear($('history-table').tBodies[0]);
      if (!r.ok || !r.data || !Array.isArray(r.data.notifications)) {
        $('history-count').textContent = '';
        if (r.status === 404 && !(r.data && r.data.field && r.data.field !== 'path')) {
          state.hasHistory = false;
          $('history-count').textContent = 'Notification history is not available on this node (HTTP 404).';
          return;
        }
        setError('history', apiError('history', r));
        return;
      }
      setError('history', '');
      state.hasHistory = true;
      var list = r.data.notifications;
      $('history-count').textContent = list.length + ' notification' + (list.length === 1 ? '' : 's') + (list.length >= HISTORY_LIMIT ? ' (the newest ' + HISTORY_LIMIT + ')' : '') +
        (h.group || h.receiver ? ' · filtered' : '');
      list.forEach(function (n) {
        var out = OUTCOME[n.outcome] || n.outcome;
        var gname = groupName(n.groupId);
        body.appendChild(el('tr', { cls: 'notification ' + out, 'data-id': n.id }, [
          el('td', { 'data-label': 'when' }, [rel(n.at)]),
          el('td', { 'data-label': 'group' }, [el('a', { href: '#history', cls: 'group-filter mono', title: n.groupKey, text: n.groupId, onclick: function (ev) { ev.preventDefault(); openHistory(n.groupId, state.history.receiver); } }),
            gname ? el('div', { cls: 'muted', text: gname }) : el('div', { cls: 'muted', text: n.groupKey })]),
          el('td', { 'data-label': 'receiver' }, [el('a', { href: '#history', cls: 'receiver-filter', text: n.receiver, onclick: function (ev) { ev.preventDefault(); openHistory(state.history.group, n.receiver); } }),
            n.integration ? ' (' + n.integration + ')' : '']),
          el('td', { 'data-label': 'reason', text: n.reason || '' }),
          el('td', { 'data-label': 'alerts', text: String(n.alerts) }),
          el('td', { 'data-label': 'attempt', text: String(n.attempt) }),
          el('td', { 'data-label': 'outcome' }, [el('span', { cls: 'outcome ' + out, text: out })]),
          el('td', { 'data-label': 'status', text: n.statusCode && String(n.error || '').indexOf(String(n.statusCode)) < 0 ? 'HTTP ' + n.statusCode + (n.error ? ' ' + n.error : '') : n.error || '' }),
          el('td', { cls: 'node', 'data-label': 'node', text: n.node || '' }),
          el('td', { cls: 'mono idem', 'data-label': 'idempotency key', text: n.idempotencyKey || '' }),
        ]));
      });
      if (!list.length) body.appendChild(el('tr', {}, [el('td', { colspan: '10', cls: 'muted empty', text: 'No notifications' + (h.group || h.receiver ? ' match the filter.' : ' yet.') })]));
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    applyTheme();
    $('theme-toggle').addEventListener('click', toggleTheme);
    if (window.matchMedia) {
      var mq = window.matchMedia('(prefers-color-scheme: dark)');
      if (mq.addEventListener) mq.addEventListener('change', applyTheme);
    }
    $('app-error-close').addEventListener('click', function () { state.errors = {}; setError('', ''); });
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', function () { logout(); });
    Array.prototype.forEach.call(document.querySelectorAll('#tabs button'), function (b) {
      b.addEventListener('click', function () { select(b.getAttribute('data-view')); });
    });
    Array.prototype.forEach.call(document.querySelectorAll('.subtabs button'), function (b) {
      b.addEventListener('click', function () {
        state.groupState = b.getAttribute('data-state');
        Array.prototype.forEach.call(document.querySelectorAll('.subtabs button'), function (x) { x.classList.toggle('active', x === b); });
        if (state.data) renderGroups();
        refresh();
      });
    });
    restorePrefs();
    var typing = null;
    $('g-filter').addEventListener('input', function () {
      clearTimeout(typing);
      typing = setTimeout(function () { savePrefs(); renderGroups(); }, 150);
    });
    $('groups-form').addEventListener('submit', function (ev) { ev.preventDefault(); savePrefs(); renderGroups(); });
    ['g-receiver', 'g-state', 'g-groupby', 'g-sort'].forEach(function (id) {
      $(id).addEventListener('change', function () { savePrefs(); renderGroups(); });
    });
    $('g-expand').addEventListener('click', function () { setAllCollapsed(false); });
    $('g-collapse').addEventListener('click', function () { setAllCollapsed(true); });
    $('history-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      state.history = { group: $('h-group').value.trim(), receiver: $('h-receiver').value.trim() };
      refresh();
    });
    $('h-clear').addEventListener('click', function () { openHistory('', ''); });
    $('alerts-form').addEventListener('submit', function (ev) { ev.preventDefault(); state.filter = $('alerts-filter').value; refresh(); });
    $('silence-new').addEventListener('click', function () { openForm(null, []); });
    $('silence-add-matcher').addEventListener('click', function () { $('silence-matchers').appendChild(matcherRow(null)); });
    $('silence-cancel').addEventListener('click', closeForm);
    $('silence-form').addEventListener('submit', submitSilence);
    $('silence-duration').addEventListener('input', updateEnds);
    $('silence-ends').addEventListener('input', function () { $('silence-duration').value = ''; });
    document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh(); });
    setInterval(tick, 10000);
    // A link such as /ui#silence=<id> opens that silence; /ui#history the notification history.
    var m = /^#silence=(.+)$/.exec(location.hash);
    if (m) { state.view = 'silences'; state.focusSilence = decodeURIComponent(m[1]); }
    else if (/^#(groups|alerts|silences|history|cluster|queue)$/.test(location.hash)) state.view = location.hash.slice(1);
    // Whether there is a login at all: none without tenants (the APIs are open then, as Alertmanager's).
    fetch('/ui/mode.json', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (mode) {
      state.mode = mode;
      showApp(signedIn());
    }).catch(function (e) {
      $('login-error').textContent = 'Cannot reach the server: ' + (e && e.message || e);
    });
  });
})();
`;

export const APP_CSS = `
:root {
  color-scheme: light;
  --red: #c62828; --green: #2e7d32; --amber: #e09400; --blue: #1e6fd9; --grey: #8a94a6;
  --bg: #f5f6f8; --fg: #1d2330; --card: #fff; --line: #d9dde3; --muted: #5f6776; --chip: #e3e8f0;
  --head-bg: #1d2330; --head-fg: #fff; --head-muted: #aab; --input: #fff; --btn: #fff; --btn-line: #8a94a6;
  --link: #1d4f91; --focus-row: #fff3c4; --current-row: #fffbe6; --notice: #1d4f91; --banner: #fdecea;
}
/* Dark: the system's choice unless the toggle chose light; or the toggle's choice. */
@media (prefers-color-scheme: dark) {
  :root:not([data-theme=light]) {
    color-scheme: dark;
    --red: #e53935; --green: #43a047; --amber: #f0a81a; --blue: #4f94ef; --grey: #7c8595;
    --bg: #12151b; --fg: #e3e7ee; --card: #1b2029; --line: #2e3542; --muted: #9aa3b2; --chip: #2a3140;
    --head-bg: #0b0d11; --head-fg: #e3e7ee; --head-muted: #8d96a6; --input: #141820; --btn: #232a36; --btn-line: #4a5568;
    --link: #8ab4f8; --focus-row: #3d3515; --current-row: #2f2a14; --notice: #8ab4f8; --banner: #3a1d1d;
  }
}
:root[data-theme=dark] {
  color-scheme: dark;
  --red: #e53935; --green: #43a047; --amber: #f0a81a; --blue: #4f94ef; --grey: #7c8595;
  --bg: #12151b; --fg: #e3e7ee; --card: #1b2029; --line: #2e3542; --muted: #9aa3b2; --chip: #2a3140;
  --head-bg: #0b0d11; --head-fg: #e3e7ee; --head-muted: #8d96a6; --input: #141820; --btn: #232a36; --btn-line: #4a5568;
  --link: #8ab4f8; --focus-row: #3d3515; --current-row: #2f2a14; --notice: #8ab4f8; --banner: #3a1d1d;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { max-width: 100%; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--link); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; padding: 10px 20px; background: var(--head-bg); color: var(--head-fg); }
header h1 { margin: 0; font-size: 20px; letter-spacing: .5px; }
header .spacer { flex: 1; }
header .muted { color: var(--head-muted); }
.live { font-size: 12px; color: var(--head-muted); }
.live.on::before { content: "●"; color: #4caf50; margin-right: 4px; }
section { padding: 16px 20px; }
form#login-form { max-width: 340px; margin: 40px auto; padding: 20px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; display: grid; gap: 10px; }
form#login-form label { display: grid; gap: 4px; }
input, select, textarea { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--input); color: var(--fg); max-width: 100%; min-width: 0; }
input.invalid { border-color: var(--red); outline: 1px solid var(--red); }
button { font: inherit; padding: 5px 12px; border: 1px solid var(--btn-line); border-radius: 4px; background: var(--btn); color: var(--fg); cursor: pointer; }
button.active { background: var(--fg); color: var(--bg); border-color: var(--fg); }
button:disabled { opacity: .5; cursor: default; }
button.link { border: 0; background: none; color: var(--link); text-decoration: underline; padding: 0 4px; }
nav#tabs, .subtabs { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 12px; }
.error { color: var(--red); margin: 4px 0; }
.banner { display: flex; align-items: flex-start; gap: 10px; background: var(--banner); border: 1px solid var(--red); border-radius: 6px; padding: 8px 12px; position: sticky; top: 0; z-index: 2; }
.banner #app-error-text { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.banner button { flex: none; }
.muted { color: var(--muted); }
.warn-text { color: var(--amber); }
form.triage { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: flex-end; margin-bottom: 6px; }
form.triage label { display: grid; gap: 2px; font-size: 12px; color: var(--muted); }
form.triage label.grow { flex: 1 1 260px; }
form.triage .buttons { display: flex; gap: 6px; }
#g-filter { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; width: 100%; }
#groups-summary { margin: 4px 0 10px; }
article.group { background: var(--card); border: 1px solid var(--line); border-left: 6px solid var(--grey); border-radius: 6px; padding: 10px 14px; margin-bottom: 12px; }
article.group.sev-critical { border-left-color: var(--red); }
article.group.sev-warning { border-left-color: var(--amber); }
article.group.sev-info { border-left-color: var(--blue); }
article.group.sev-none { border-left-color: var(--grey); }
article.group.recovery { border-left-color: var(--green); }
.subtabs button[data-state=recovery].active { background: var(--green); border-color: var(--green); color: #fff; }
article.group h3 { margin: 0 0 4px; display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; font-size: 15px; }
article.group .meta, article.group .last-notification, article.group .quiet-summary { margin: 0 0 6px; color: var(--muted); font-size: 12.5px; }
button.toggle { padding: 0 6px; min-width: 28px; border-color: var(--line); }
.count { margin-left: auto; min-width: 28px; text-align: center; border-radius: 12px; color: #fff; background: var(--red); padding: 0 8px; }
article.group.sev-warning .count { background: var(--amber); color: #1d2330; }
article.group.sev-info .count { background: var(--blue); }
article.group.sev-none .count { background: var(--grey); }
.count.recovery, article.group.recovery .count { background: var(--green); color: #fff; }
.sev-badge { font-size: 11px; text-transform: uppercase; letter-spacing: .4px; padding: 0 6px; border-radius: 4px; border: 1px solid currentColor; }
.sev-badge.critical { color: var(--red); }
.sev-badge.warning { color: var(--amber); }
.sev-badge.info { color: var(--blue); }
.sev-badge.none { color: var(--grey); }
.outcome { padding: 0 6px; border-radius: 4px; font-size: 12px; color: #fff; background: var(--grey); }
.outcome.delivered { background: var(--green); }
.outcome.retrying, .outcome.stalled { background: var(--amber); color: #1d2330; }
.outcome.dead-lettered { background: var(--red); }
.labels { display: inline-flex; flex-wrap: wrap; gap: 4px; min-width: 0; }
.label { display: inline-block; padding: 1px 7px; border-radius: 10px; background: var(--chip); font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; margin-right: 4px; overflow-wrap: anywhere; max-width: 100%; }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
th { font-size: 12px; text-transform: uppercase; color: var(--muted); white-space: nowrap; }
td.actions { white-space: nowrap; }
td.alertname { font-weight: 600; }
.annotations .summary { font-weight: 500; }
.annotations .description { color: var(--muted); white-space: pre-wrap; }
.annotations .links a { font-size: 12.5px; }
.badge { color: #fff; padding: 1px 8px; border-radius: 10px; font-size: 12px; white-space: nowrap; }
.badge.firing { background: var(--red); }
tr.sev-warning .badge.firing { background: var(--amber); color: #1d2330; }
tr.sev-info .badge.firing { background: var(--blue); }
tr.sev-none .badge.firing { background: var(--grey); }
.badge.resolved { background: var(--green); }
.badge.quiet { background: #777; }
tr.alert-row.quiet td { opacity: 0.8; }
.why-quiet { color: var(--muted); font-size: 12px; font-style: italic; }
.fp { font-style: normal; opacity: .8; }
tr.current td { background: var(--current-row); }
.mono, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
time.rel { text-decoration: underline dotted; text-underline-offset: 2px; cursor: help; }
#alerts-form { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 8px; }
#alerts-filter { flex: 1 1 240px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 6px 0; }
.notice { min-height: 1em; margin: 4px 0; color: var(--notice); }
#silence-form { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin-bottom: 12px; }
#silence-form h3 { margin: 0 0 4px; font-size: 15px; overflow-wrap: anywhere; }
#silence-form fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 6px 0; min-width: 0; }
.matcher-row { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 4px; }
.matcher-row input, .matcher-row select { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.form-grid { display: flex; flex-wrap: wrap; gap: 12px; margin: 6px 0; }
.form-grid label, label.wide { display: grid; gap: 2px; min-width: 0; }
textarea { width: 100%; }
section.silences { padding: 0; }
section.silences h3 { font-size: 15px; margin: 14px 0 6px; }
section.silences.active h3 { color: var(--notice); }
section.silences.expired { opacity: .8; }
tr.silence-row.focus td { background: var(--focus-row); }
.silence-id { word-break: break-all; }
a.silence-link { color: var(--link); }
button.silence-action { font-size: 12px; padding: 1px 8px; }
h3 button.silence-action { font-weight: normal; }
.dead { background: var(--card); border: 1px solid var(--line); border-left: 6px solid var(--red); border-radius: 6px; padding: 8px 12px; margin-bottom: 10px; overflow-wrap: anywhere; }
.dead p { margin: 4px 0; }
#history-table td.idem { font-size: 11px; color: var(--muted); max-width: 16em; word-break: break-all; }
.outcome, time.rel, td.node { white-space: nowrap; }
/* Phones (390 px): everything wraps, and tables become stacked cards labelled by their column. */
@media (max-width: 700px) {
  header { padding: 8px 10px; gap: 4px 10px; }
  section { padding: 10px; }
  article.group { padding: 8px 10px; }
  table.stack, table.stack tbody, table.stack tr, table.stack td,
  table.alerts, table.alerts tbody, table.alerts tr, table.alerts td,
  table.silences, table.silences tbody, table.silences tr, table.silences td { display: block; width: 100%; }
  table.stack thead, table.alerts thead, table.silences thead { display: none; }
  table.stack tr, table.alerts tr, table.silences tr { border-bottom: 1px solid var(--line); padding: 4px 0; }
  table.stack td, table.alerts td, table.silences td { border: 0; padding: 2px 4px; }
  td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: 12px; }
  td[data-label]:empty { display: none; }
  form.triage label { flex: 1 1 40%; }
  form.triage label.grow { flex: 1 1 100%; }
  form.triage select { width: 100%; }
  .matcher-row input { flex: 1 1 100%; }
  .count { margin-left: 0; }
}
`;
