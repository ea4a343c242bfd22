// The dashboard's script and stylesheet, served as /ui/app.js and /ui/app.css (no bundler: plain ES2020
// that every current browser runs as is). Data is only ever written with textContent, never innerHTML.
// Kept as strings so they ship in dist/ with the compiled code; no backticks or `${` inside.

export const APP_JS = String.raw`'use strict';
(function () {
  var TOKEN = 'herald.token';
  var WHO = 'herald.who';
  var POLL_MS = 5000;
  var state = { view: 'groups', groupState: 'firing', cursor: null, filter: '', timer: null, busy: false };

  function $(id) { return document.getElementById(id); }
  function el(tag, props, children) {
    var e = document.createElement(tag);
    if (props) for (var k in props) {
      if (k === 'text') e.textContent = props[k];
      else if (k === 'cls') e.className = props[k];
      else if (k === 'onclick') e.addEventListener('click', props[k]);
      else e.setAttribute(k, props[k]);
    }
    (children || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
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
  function labelChips(labels, skip) {
    var box = el('span', { cls: 'labels' });
    Object.keys(labels || {}).sort().forEach(function (k) {
      if (k === skip) return;
      box.appendChild(el('span', { cls: 'label', text: k + '=' + labels[k] }));
    });
    return box;
  }
  function showError(msg) { $('app-error').textContent = msg || ''; }

  function api(method, path, body) {
    var headers = { authorization: 'Bearer ' + sessionStorage.getItem(TOKEN) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
          if (res.status === 401 && path.indexOf('/api/v1/') === 0) { logout('Your session has ended: sign in again.'); }
          return { status: res.status, ok: res.ok, data: data };
        });
      });
  }
  function failMsg(r) { return 'HTTP ' + r.status + (r.data && r.data.error ? ': ' + r.data.error : ''); }

  // ---- login / logout
  function showApp(on) {
    $('login-view').hidden = on;
    $('app-view').hidden = !on;
    $('logout').hidden = !on;
    $('who').textContent = on ? sessionStorage.getItem(WHO) || '' : '';
    if (on) { select(state.view); schedule(); } else if (state.timer) { clearInterval(state.timer); state.timer = null; }
  }
  function logout(msg) {
    var token = sessionStorage.getItem(TOKEN);
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(WHO);
    if (token && !msg) fetch('/api/v1/auth/logout', { method: 'POST', headers: { authorization: 'Bearer ' + token } }).catch(function () {});
    $('login-error').textContent = msg || '';
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
        showApp(true);
      })
      .catch(function (e) { $('login-submit').disabled = false; $('login-error').textContent = 'Sign-in failed: ' + e.message; });
  }

  // ---- views
  function select(view) {
    state.view = view;
    Array.prototype.forEach.call(document.querySelectorAll('#tabs button'), function (b) { b.classList.toggle('active', b.getAttribute('data-view') === view); });
    Array.prototype.forEach.call(document.querySelectorAll('.view'), function (v) { v.hidden = v.id !== 'view-' + view; });
    showError('');
    refresh();
  }
  function refresh() {
    if (!sessionStorage.getItem(TOKEN) || state.busy) return;
    var fn = { groups: loadGroups, alerts: loadAlerts, sessions: loadSessions, cluster: loadCluster, queue: loadQueue }[state.view];
    state.busy = true;
    Promise.resolve().then(fn).then(function () {
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    }).catch(function (e) { showError(String(e && e.message || e)); }).then(function () { state.busy = false; });
  }
  function schedule() {
    if (state.timer) clearInterval(state.timer);
    state.timer = setInterval(function () { if (!document.hidden) refresh(); }, POLL_MS);
  }

  function loadGroups() {
    var q = '/api/v1/groups?limit=50&state=' + encodeURIComponent(state.groupState);
    return api('GET', q).then(function (r) {
      if (!r.ok) { showError('groups: ' + failMsg(r)); return; }
      return Promise.all(r.data.groups.map(function (g) {
        return api('GET', '/api/v1/groups/' + encodeURIComponent(g.id)).then(function (d) { return d.ok ? d.data : null; });
      })).then(function (details) {
        var box = clear($('groups'));
        if (!details.length) box.appendChild(el('p', { cls: 'muted empty', text: 'No ' + state.groupState + ' groups.' }));
        details.forEach(function (g) { if (g) box.appendChild(groupCard(g)); });
        $('groups-more').hidden = !r.data.nextCursor;
      });
    });
  }
  // Why nothing is sent for an alert: the quiet reasons the admin API computes (inhibition, time intervals, silences).
  function quietText(q) {
    if (!q) return '';
    var parts = [];
    if (q.inhibitedBy) {
      var src = q.inhibitedBy.sourceLabels || {};
      parts.push('inhibited by ' + (src.alertname || q.inhibitedBy.source) +
        Object.keys(src).filter(function (k) { return k !== 'alertname'; }).sort().map(function (k) { return ' ' + k + '=' + src[k]; }).join('') +
        ' (rule ' + q.inhibitedBy.rule + ')');
    }
    if (q.mutedBy && q.mutedBy.length) parts.push('muted by time interval ' + q.mutedBy.join(', '));
    if (q.silencedBy && q.silencedBy.length) parts.push('silenced by ' + q.silencedBy.join(', '));
    return parts.join(' · ');
  }
  function stateCell(a) {
    var kids = [el('span', { cls: 'badge ' + a.state, text: a.state })];
    if (a.quiet) kids.push(' ', el('span', { cls: 'badge quiet', title: quietText(a.quiet), text: a.quiet.inhibitedBy ? 'inhibited' : a.quiet.silencedBy.length ? 'silenced' : 'muted' }));
    return el('td', {}, kids);
  }
  function groupCard(g) {
    var alerts = state.groupState === 'recovery' ? g.recovery : g.firing;
    var t = g.timers || {};
    var rows = alerts.map(function (a) {
      var summary = (a.annotations && (a.annotations.summary || a.annotations.description)) || '';
      return el('tr', { cls: 'alert-row ' + a.state + (a.quiet ? ' quiet' : '') }, [
        el('td', { cls: 'alertname', text: a.labels.alertname || '' }),
        stateCell(a),
        el('td', {}, [labelChips(a.labels, 'alertname')]),
        el('td', { text: fmtTime(a.startsAt) }),
        el('td', {}, [summary, a.quiet ? el('div', { cls: 'why-quiet', text: quietText(a.quiet) }) : null]),
      ]);
    });
    return el('article', { cls: 'group ' + state.groupState, 'data-group': g.id }, [
      el('h3', {}, [labelChips(g.labels), el('span', { cls: 'count ' + state.groupState, text: String(alerts.length) })]),
      el('p', { cls: 'meta' }, [
        'receiver ', el('b', { text: g.receiver }),
        ' · group_wait ' + fmtMs(t.groupWait) + ' · group_interval ' + fmtMs(t.groupInterval) + ' · repeat_interval ' + fmtMs(t.repeatInterval),
        ' · firing ' + g.firing.length + ' · resolved ' + g.recovery.length + ' · since ' + fmtTime(g.createdAt),
      ]),
      g.mutedBy && g.mutedBy.length ? el('p', { cls: 'why-quiet', text: 'Notifications muted now by time interval ' + g.mutedBy.join(', ') }) : null,
      el('table', { cls: 'alerts' }, [
        el('thead', {}, [el('tr', {}, ['alertname', 'state', 'labels', 'startsAt', 'summary'].map(function (h) { return el('th', { text: h }); }))]),
        el('tbody', {}, rows),
      ]),
    ]);
  }
  function moreGroups() {
    // Pages are read in full on each poll; "more" raises the page size instead of keeping a cursor stale.
    var q = '/api/v1/groups?limit=1000&state=' + encodeURIComponent(state.groupState);
    return api('GET', q).then(function (r) {
      if (!r.ok) return showError('groups: ' + failMsg(r));
      var box = $('groups');
      var have = {};
      Array.prototype.forEach.call(box.querySelectorAll('[data-group]'), function (n) { have[n.getAttribute('data-group')] = 1; });
      r.data.groups.filter(function (g) { return !have[g.id]; }).slice(0, 100).forEach(function (g) {
        api('GET', '/api/v1/groups/' + encodeURIComponent(g.id)).then(function (d) { if (d.ok) box.appendChild(groupCard(d.data)); });
      });
    });
  }

  // Splits {a="x", b=~"y,z"} into matchers at commas outside quotes.
  function matchers(text) {
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
    var q = matchers(state.filter).map(function (m) { return 'filter=' + encodeURIComponent(m); }).join('&');
    return api('GET', '/api/v1/alerts' + (q ? '?' + q : '')).then(function (r) {
      var body = clear($('alerts-table').tBodies[0]);
      if (!r.ok) { $('alerts-count').textContent = ''; showError('search: ' + failMsg(r) + (r.data && r.data.field ? ' (' + r.data.field + ')' : '')); return; }
      showError('');
      $('alerts-count').textContent = r.data.length + ' alert' + (r.data.length === 1 ? '' : 's');
      r.data.forEach(function (a) {
        body.appendChild(el('tr', { cls: 'alert-row ' + a.state + (a.quiet ? ' quiet' : '') }, [
          el('td', { cls: 'alertname', text: a.labels.alertname || '' }),
          stateCell(a),
          el('td', {}, [labelChips(a.labels, 'alertname'), a.quiet ? el('div', { cls: 'why-quiet', text: quietText(a.quiet) }) : null]),
          el('td', { text: fmtTime(a.startsAt) }),
          el('td', { cls: 'mono', text: (a.groups || []).join(' ') }),
        ]));
      });
    });
  }

  function loadSessions() {
    return api('GET', '/api/v1/sessions').then(function (r) {
      var body = clear($('sessions-table').tBodies[0]);
      if (!r.ok) { showError('sessions: ' + failMsg(r)); return; }
      $('sessions-scope').textContent = r.data.sessions.length + ' live session(s); scope: ' + r.data.scope + (r.data.scope === 'node' ? ' (memory mode: this node only)' : '');
      r.data.sessions.forEach(function (s) {
        var btn = el('button', { type: 'button', cls: 'revoke', 'data-session': s.id, text: s.current ? 'Revoke (you)' : 'Revoke' });
        btn.addEventListener('click', function () {
          btn.disabled = true;
          api('DELETE', '/api/v1/sessions/' + encodeURIComponent(s.id)).then(function (d) {
            if (d.status === 204) { if (s.current) logout('You revoked your own session.'); else refresh(); }
            else { btn.disabled = false; showError('revoke: ' + failMsg(d)); }
          });
        });
        body.appendChild(el('tr', { 'data-session': s.id, cls: s.current ? 'current' : '' }, [
          el('td', { text: s.username + (s.current ? ' (this session)' : '') }),
          el('td', { text: s.role }),
          el('td', { text: s.ip }),
          el('td', { text: fmtTime(s.createdAt) }),
          el('td', { text: fmtTime(s.lastSeenAt) }),
          el('td', { text: fmtTime(s.expiresAt) }),
          el('td', {}, [btn]),
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
        r.data.uptime ? ' · up since ' + fmtTime(r.data.uptime) : '']));
      box.appendChild(el('table', {}, [
        el('thead', {}, [el('tr', {}, [el('th', { text: 'node' }), el('th', { text: 'address' })])]),
        el('tbody', {}, (c.peers || []).map(function (p) { return el('tr', {}, [el('td', { text: String(p.name) }), el('td', { text: String(p.address || '') })]); })),
      ]));
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
      if (dead.length) {
        box.appendChild(el('button', { text: 'Retry all (' + dead.length + ')', onclick: function () {
          api('POST', '/api/v1/queue/dead-letters/retry-all').then(function () { refresh(); });
        } }));
      }
      dead.forEach(function (d) {
        var err = d.lastError ? (d.lastError.integration + ': ' + d.lastError.reason + ' ' + (d.lastError.status || '') + ' ' + d.lastError.message) : '';
        box.appendChild(el('div', { cls: 'dead' }, [
          el('strong', { text: d.groupKey }),
          el('p', { text: 'receiver ' + d.receiver + ' · ' + d.state + ' · ' + d.attempts + ' attempts · failed ' + fmtTime(d.failedAt) }),
          el('p', { text: err }),
          el('button', { text: 'Retry', onclick: function () {
            api('POST', '/api/v1/queue/dead-letters/' + encodeURIComponent(d.id) + '/retry').then(function () { refresh(); });
          } }),
        ]));
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', function () { logout(); });
    Array.prototype.forEach.call(document.querySelectorAll('#tabs button'), function (b) {
      b.addEventListener('click', function () { select(b.getAttribute('data-view')); });
    });
    Array.prototype.forEach.call(document.querySelectorAll('.subtabs button'), function (b) {
      b.addEventListener('click', function () {
        state.groupState = b.getAttribute('data-state');
        Array.prototype.forEach.call(document.querySelectorAll('.subtabs button'), function (x) { x.classList.toggle('active', x === b); });
        clear($('groups'));
        refresh();
      });
    });
    $('groups-more').addEventListener('click', moreGroups);
    $('alerts-form').addEventListener('submit', function (ev) { ev.preventDefault(); state.filter = $('alerts-filter').value; refresh(); });
    showApp(!!sessionStorage.getItem(TOKEN));
  });
})();
`;

export const APP_CSS = `
:root { color-scheme: light; --red: #c62828; --green: #2e7d32; --bg: #f5f6f8; --fg: #1d2330; --line: #d9dde3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: #1d2330; color: #fff; }
header h1 { margin: 0; font-size: 20px; letter-spacing: .5px; }
header #logout { margin-left: auto; }
header .muted { color: #aab; }
section { padding: 16px 20px; }
form#login-form { max-width: 340px; margin: 40px auto; padding: 20px; background: #fff; border: 1px solid var(--line); border-radius: 8px; display: grid; gap: 10px; }
form#login-form label { display: grid; gap: 4px; }
input { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; }
button { font: inherit; padding: 5px 12px; border: 1px solid #8a94a6; border-radius: 4px; background: #fff; cursor: pointer; }
button.active { background: #1d2330; color: #fff; border-color: #1d2330; }
button:disabled { opacity: .5; cursor: default; }
nav#tabs, .subtabs { display: flex; gap: 6px; margin-bottom: 12px; }
.error { color: var(--red); min-height: 1em; margin: 4px 0; }
.muted { color: #667; }
article.group { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--red); border-radius: 6px; padding: 10px 14px; margin-bottom: 12px; }
article.group.recovery { border-left-color: var(--green); }
.subtabs button[data-state=recovery].active { background: var(--green); border-color: var(--green); }
article.group h3 { margin: 0 0 4px; display: flex; align-items: center; gap: 8px; font-size: 15px; }
article.group .meta { margin: 0 0 6px; color: #445; font-size: 12.5px; }
.count { margin-left: auto; min-width: 28px; text-align: center; border-radius: 12px; color: #fff; background: var(--red); padding: 0 8px; }
.count.recovery { background: var(--green); }
.labels { display: inline-flex; flex-wrap: wrap; gap: 4px; }
.label { display: inline-block; padding: 1px 7px; border-radius: 10px; background: #e3e8f0; font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; margin-right: 4px; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; color: #667; }
td.alertname { font-weight: 600; }
.badge { color: #fff; padding: 1px 8px; border-radius: 10px; font-size: 12px; }
.badge.firing { background: var(--red); }
.badge.resolved { background: var(--green); }
.badge.quiet { background: #777; }
tr.alert-row.quiet td { opacity: 0.75; }
.why-quiet { color: #555; font-size: 12px; font-style: italic; }
tr.current td { background: #fffbe6; }
.mono, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
#alerts-form { display: flex; gap: 8px; margin-bottom: 8px; }
#alerts-filter { flex: 1; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
`;
