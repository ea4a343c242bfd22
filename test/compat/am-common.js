// Helpers shared by the Alertmanager fixture recorders in test/compat/ (plain Node, no dependencies).
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const net = require('node:net');

/** A free TCP port on loopback (for Alertmanager's web listener and the webhook sinks). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** One HTTP request with an optional JSON body: `{status, body}` (body as text). */
function request(method, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes `config` (JSON is YAML) to `<dir>/alertmanager.yml` and starts Alertmanager on a free loopback
 * port with gossip off and its storage in `dir`, waiting until `/-/ready` answers. Returns its base URL,
 * the process and a promise of its exit; the caller kills it. `extraArgs`: more flags (e.g.
 * `--web.external-url=…`).
 */
async function startAlertmanager(binary, dir, config, extraArgs = []) {
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const am = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const exited = new Promise((r) => am.once('exit', r));
  for (let i = 0; ; i++) {
    const ready = await request('GET', `${base}/-/ready`).catch(() => undefined);
    if (ready && ready.status === 200) break;
    if (i > 100 || am.exitCode !== null) {
      am.kill('SIGTERM');
      await exited;
      throw new Error('Alertmanager did not become ready');
    }
    await sleep(100);
  }
  return { base, am, exited };
}

module.exports = { freePort, request, sleep, startAlertmanager };
