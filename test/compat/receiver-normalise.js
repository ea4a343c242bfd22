// What changes per run in a captured receiver request, replaced by markers, and the throw-away TLS
// certificate of the capture's CONNECT proxy. Shared by the recorder (make-receiver-fixtures.js), which
// writes test/compat/receivers-am025.json, and the replay harness (test/harness/receiver-parity.ts),
// which must normalise Herald's requests exactly as the recorder normalised Alertmanager's.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** A self-signed certificate for `subject` (openssl), written into `dir`. */
function selfSignedCert(dir, subject) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      subject,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

/** Replaces what changes per run (dates, message ids, MIME boundaries) with markers; decodes the parts. */
function normaliseMail(m) {
  const boundaries = [...m.raw.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((x) => x[1]);
  let raw = m.raw;
  for (const b of boundaries) raw = raw.split(b).join('<BOUNDARY>');
  raw = raw
    .replace(/^Date: .*$/m, 'Date: <DATE>')
    .replace(/^Message-Id: <[^>]*>/im, 'Message-Id: <MESSAGE-ID>');
  // Alertmanager writes the configured headers in Go map order (random per run): sort the top block,
  // each folded header (RFC 5322 §2.2.3: a line break before white space) unfolded first.
  const sep = raw.indexOf('\r\n\r\n');
  const top = raw
    .slice(0, sep)
    .replace(/\r\n(?=[ \t])/g, '')
    .split('\r\n')
    .sort();
  raw = top.join('\r\n') + raw.slice(sep);
  const headers = {};
  for (const line of top)
    headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
  const decode = (body, cte) =>
    /quoted-printable/i.test(cte || '')
      ? Buffer.from(
          body
            .replace(/=\r\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_, x) => String.fromCharCode(parseInt(x, 16))),
          'latin1',
        ).toString('utf8')
      : body;
  // A message of one part (no multipart boundary) is that one part.
  if (boundaries.length === 0) {
    const parts = [
      {
        contentType: headers['content-type'],
        body: decode(raw.slice(sep + 4), headers['content-transfer-encoding']),
      },
    ];
    return { helo: m.helo, from: m.from, to: m.to, headers, parts, raw };
  }
  const parts = raw
    .slice(sep + 4)
    .split(/\r\n--<BOUNDARY>(?:--)?\r\n|^--<BOUNDARY>\r\n/)
    .filter((x) => x.includes('\r\n\r\n'))
    .map((part) => {
      const i = part.indexOf('\r\n\r\n');
      const h = Object.fromEntries(
        part
          .slice(0, i)
          .split('\r\n')
          .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      return {
        contentType: h['content-type'],
        body: decode(part.slice(i + 4), h['content-transfer-encoding']),
      };
    });
  return { helo: m.helo, from: m.from, to: m.to, headers, parts, raw };
}

/** Drops the host header (the capture port changes per run), marks SigV4's date and signature, parses bodies. */
function normaliseHttp(r) {
  const headers = { ...r.headers };
  delete headers.host;
  if (headers['x-amz-date']) headers['x-amz-date'] = '<AMZ-DATE>';
  if (typeof headers.authorization === 'string' && headers.authorization.startsWith('AWS4-HMAC-SHA256'))
    headers.authorization = headers.authorization
      .replace(/Signature=[0-9a-f]+/, 'Signature=<SIG>')
      .replace(/Credential=([^/]+)\/\d{8}\//, 'Credential=$1/<DATE>/');
  const out = { method: r.method, path: r.path, query: r.query, headers, body: r.body };
  const type = String(headers['content-type'] || '');
  if (type.includes('json')) {
    try {
      out.json = JSON.parse(r.body);
      delete out.body;
    } catch {
      /* keep the text when it is not JSON */
    }
  } else if (type.includes('x-www-form-urlencoded')) {
    out.form = Object.fromEntries(new URLSearchParams(r.body));
  }
  // A request that came through the CONNECT proxy: the vendor's fixed https URL.
  if (r.host !== '127.0.0.1') out.url = `https://${r.host}${r.path}`;
  return out;
}

module.exports = { normaliseHttp, normaliseMail, selfSignedCert };
