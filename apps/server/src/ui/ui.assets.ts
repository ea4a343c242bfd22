// The dashboard's script and stylesheet, served as /ui/app.js and /ui/app.css (no bundler: plain ES2020
// that every current browser runs as is). Data is only ever written with textContent, never innerHTML.
// Kept as strings so they ship in dist/ with the compiled code; no backticks or `${` inside.

export const APP_JS = String.raw`'use strict';
(function () {
  var TOKEN = 'herald.token';
  var WHO = 'herald.who';
  var USER = 'herald.user';
  var POLL_MS = 5000;
  // role: the session's role once known ('admin', 'viewer'), 'unknown' when it could not be read (write
  // buttons are then shown and a refusal is reported); focusSilence: the silence a link pointed at.
  var state = { view: 'groups', groupState: 'firing', cursor: null, filter: '', timer: null, busy: false,
    role: null, focusSilence: null, scrolled: false, editing: null, again: false };
  var EXPIRED_SHOWN = 50;

  function $(id) { return document.getElementById(id); }
  function el(tag, props, children) {
    var e = document.createElement(tag);
    if (props) for (var k in props) {
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
  // The API's {error, field} of a refused request, for every failed action.
  function apiError(what, r) { return what + ': ' + failMsg(r) + (r.data && r.data.field ? ' (field ' + r.data.field + ')' : ''); }
  function canWrite() { return state.role !== 'viewer'; }

  function api(method, path, body) {
    var headers = { authorization: 'Bearer ' + sessionStorage.getItem(TOKEN) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
          if (res.status === 401 && (path.indexOf('/api/v1/') === 0 || path.indexOf('/api/v2/silence') === 0)) { logout('Your session has ended: sign in again.'); }
          return { status: res.status, ok: res.ok, data: data };
        });
      });
  }
  function failMsg(r) { return 'HTTP ' + r.status + (typeof r.data === 'string' && r.data ? ': ' + r.data : r.data && r.data.error ? ': ' + r.data.error : ''); }

  // ---- login / logout
  function showApp(on) {
    $('login-view').hidden = on;
    $('app-view').hidden = !on;
    $('logout').hidden = !on;
    $('who').textContent = on ? sessionStorage.getItem(WHO) || '' : '';
    if (on) { loadRole().then(function () { select(state.view); schedule(); }); }
    else { state.role = null; if (state.timer) { clearInterval(state.timer); state.timer = null; } }
  }
  // The session's role and user, from the sessions list (the current one): decides which write buttons show.
  function loadRole() {
    return api('GET', '/api/v1/sessions').then(function (r) {
      var me = r.ok && r.data && r.data.sessions ? r.data.sessions.filter(function (x) { return x.current; })[0] : null;
      state.role = me ? me.role : 'unknown';
      if (me && !sessionStorage.getItem(USER)) sessionStorage.setItem(USER, me.username);
    }).catch(function () { state.role = 'unknown'; });
  }
  function logout(msg) {
    var token = sessionStorage.getItem(TOKEN);
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(WHO);
    sessionStorage.removeItem(USER);
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
        sessionStorage.setItem(USER, body.username);
        showApp(true);
      })
      .catch(function (e) { $('login-submit').disabled = false; $('login-error').textContent = 'Sign-in failed: ' + e.message; });
  }

  // ---- views
  function select(view) {
    if (view !== 'silences') state.focusSilence = null;
    state.view = view;
    Array.prototype.forEach.call(document.querySelectorAll('#tabs button'), function (b) { b.classList.toggle('active', b.getAttribute('data-view') === view); });
    Array.prototype.forEach.call(document.querySelectorAll('.view'), function (v) { v.hidden = v.id !== 'view-' + view; });
    showError('');
    refresh();
  }
  function refresh() {
    if (!sessionStorage.getItem(TOKEN)) return;
    // A click while a poll is in flight (tab switch, a link, an action done) runs once that poll ends.
    if (state.busy) { state.again = true; return; }
    var fn = { groups: loadGroups, alerts: loadAlerts, silences: loadSilences, sessions: loadSessions, cluster: loadCluster, queue: loadQueue }[state.view];
    state.busy = true;
    Promise.resolve().then(fn).then(function () {
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    }).catch(function (e) { showError(String(e && e.message || e)); }).then(function () {
      state.busy = false;
      if (state.again) { state.again = false; refresh(); }
    });
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
  // The quiet reasons as text, with each silence id a link to it in the Silences tab.
  function quietNode(q) {
    var box = el('div', { cls: 'why-quiet' });
    var rest = quietText({ inhibitedBy: q.inhibitedBy, mutedBy: q.mutedBy });
    if (rest) box.appendChild(document.createTextNode(rest));
    if (q.silencedBy && q.silencedBy.length) {
      if (rest) box.appendChild(document.createTextNode(' · '));
      box.appendChild(document.createTextNode('silenced by '));
      q.silencedBy.forEach(function (id, i) {
        if (i) box.appendChild(document.createTextNode(', '));
        box.appendChild(silenceLink(id));
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
        el('td', {}, [summary, a.quiet ? quietNode(a.quiet) : null]),
        el('td', {}, [canWrite() && a.state !== 'resolved' ? silenceButton('alert', a.labels) : null]),
      ]);
    });
    return el('article', { cls: 'group ' + state.groupState, 'data-group': g.id }, [
      el('h3', {}, [labelChips(g.labels), canWrite() && state.groupState === 'firing' ? silenceButton('group', g.labels) : null,
        el('span', { cls: 'count ' + state.groupState, text: String(alerts.length) })]),
      el('p', { cls: 'meta' }, [
        'receiver ', el('b', { text: g.receiver }),
        ' · group_wait ' + fmtMs(t.groupWait) + ' · group_interval ' + fmtMs(t.groupInterval) + ' · repeat_interval ' + fmtMs(t.repeatInterval),
        ' · firing ' + g.firing.length + ' · resolved ' + g.recovery.length + ' · since ' + fmtTime(g.createdAt),
      ]),
      g.mutedBy && g.mutedBy.length ? el('p', { cls: 'why-quiet', text: 'Notifications muted now by time interval ' + g.mutedBy.join(', ') }) : null,
      el('table', { cls: 'alerts' }, [
        el('thead', {}, [el('tr', {}, ['alertname', 'state', 'labels', 'startsAt', 'summary', ''].map(function (h) { return el('th', { text: h }); }))]),
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
          el('td', {}, [labelChips(a.labels, 'alertname'), a.quiet ? quietNode(a.quiet) : null]),
          el('td', { text: fmtTime(a.startsAt) }),
          el('td', { cls: 'mono', text: (a.groups || []).join(' ') }),
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
      el('td', {}, [el('span', { cls: 'labels' }, s.matchers.map(function (m) { return el('span', { cls: 'label matcher', text: matcherString(m) }); }))]),
      el('td', { cls: 'comment' }, [s.comment, ann ? el('div', { cls: 'muted', text: ann }) : null]),
      el('td', { text: s.createdBy }),
      el('td', { text: fmtTime(s.startsAt) }),
      el('td', { text: fmtTime(s.endsAt) }),
      el('td', { cls: 'remaining', text: whenText(s, now) }),
      el('td', { cls: 'mono silence-id', text: s.id }),
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
          api('POST', '/api/v1/queue/dead-letters/retry-all').then(function (x) { if (!x.ok) showError(apiError('retry all', x)); else refresh(); });
        } }));
      }
      dead.forEach(function (d) {
        var err = d.lastError ? (d.lastError.integration + ': ' + d.lastError.reason + ' ' + (d.lastError.status || '') + ' ' + d.lastError.message) : '';
        box.appendChild(el('div', { cls: 'dead' }, [
          el('strong', { text: d.groupKey }),
          el('p', { text: 'receiver ' + d.receiver + ' · ' + d.state + ' · ' + d.attempts + ' attempts · failed ' + fmtTime(d.failedAt) }),
          el('p', { text: err }),
          el('button', { text: 'Retry', onclick: function () {
            api('POST', '/api/v1/queue/dead-letters/' + encodeURIComponent(d.id) + '/retry').then(function (x) { if (!x.ok) showError(apiError('retry', x)); else refresh(); });
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
    $('silence-new').addEventListener('click', function () { openForm(null, []); });
    $('silence-add-matcher').addEventListener('click', function () { $('silence-matchers').appendChild(matcherRow(null)); });
    $('silence-cancel').addEventListener('click', closeForm);
    $('silence-form').addEventListener('submit', submitSilence);
    $('silence-duration').addEventListener('input', updateEnds);
    $('silence-ends').addEventListener('input', function () { $('silence-duration').value = ''; });
    // A link such as /ui#silence=<id> opens that silence.
    var m = /^#silence=(.+)$/.exec(location.hash);
    if (m) { state.view = 'silences'; state.focusSilence = decodeURIComponent(m[1]); }
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
.toolbar { display: flex; gap: 8px; align-items: center; margin: 6px 0; }
.notice { min-height: 1em; margin: 4px 0; color: #1d4f91; }
#silence-form { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin-bottom: 12px; }
#silence-form h3 { margin: 0 0 4px; font-size: 15px; }
#silence-form fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 6px 0; }
.matcher-row { display: flex; gap: 6px; margin-bottom: 4px; }
.matcher-row input, .matcher-row select { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.form-grid { display: flex; flex-wrap: wrap; gap: 12px; margin: 6px 0; }
.form-grid label, label.wide { display: grid; gap: 2px; }
textarea { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; }
section.silences { padding: 0; }
section.silences h3 { font-size: 15px; margin: 14px 0 6px; }
section.silences.active h3 { color: #1d4f91; }
section.silences.expired { opacity: .8; }
tr.silence-row.focus td { background: #fff3c4; }
.silence-id { word-break: break-all; }
a.silence-link { color: #1d4f91; }
button.silence-action { font-size: 12px; padding: 1px 8px; }
h3 button.silence-action { font-weight: normal; }
`;
