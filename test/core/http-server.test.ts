// The roles' HTTP server against hostile requests: a body that does not say it is JSON, a request from a page of
// another web site, a write without a token or with a wrong one. Each is refused before any handler runs; a write
// with a good token runs as the identity the token names. With a certificate (master.httpTls) it speaks HTTPS only.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { initCa, issueCertificate } from 'mooseng/dist/certs/certificate-authority';
import { cleanupTempDirs, makeTempDir } from '../support';
import { type HttpApiToken, type HttpRequest, RoleHttpServer, silentLogger } from '@mooseng/core';

const TOKEN: HttpApiToken = { name: 'ops', token: 'a-long-enough-secret-token', uid: 1000, gids: [1000, 27] };

describe('RoleHttpServer: who may ask what', () => {
  let server: RoleHttpServer;
  let base = '';
  const seen: HttpRequest[] = [];

  before(async () => {
    server = new RoleHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      tokens: [TOKEN],
      tokensSetting: 'test.httpApiTokens',
      routes: [
        { method: 'POST', path: '/read', handler: (req) => (seen.push(req), { json: { ok: true } }) },
        {
          method: 'POST',
          path: '/write',
          access: 'write',
          handler: (req) => (seen.push(req), { status: 201, json: { as: req.identity } }),
        },
      ],
    });
    base = `http://127.0.0.1:${await server.start()}`;
  });
  after(() => server.stop());
  beforeEach(() => (seen.length = 0));

  const post = (path: string, headers: Record<string, string>, body = '{"path":"/x"}') =>
    fetch(`${base}${path}`, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

  it('refuses a body not sent as application/json (what a cross-site form or text/plain POST sends) with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await post('/read', { 'content-type': type });
      expect(r.status, type).to.equal(415);
      expect(r.json.error.message).to.match(/content-type: application\/json/);
    }
    const none = await fetch(`${base}/read`, { method: 'POST', body: new Uint8Array(Buffer.from('{}')) });
    expect(none.status, 'no content-type').to.equal(415);
    expect(seen).to.have.length(0);
    expect((await post('/read', { 'content-type': 'application/json; charset=utf-8' })).status).to.equal(200);
  });

  it('refuses a request from a page of another origin, and takes one from its own', async () => {
    const cross = await post('/read', { 'content-type': 'application/json', origin: 'https://evil.example' });
    expect(cross.status).to.equal(403);
    expect(cross.json.error.message).to.match(/evil\.example.*cross-site/);
    const opaque = await post('/read', { 'content-type': 'application/json', origin: 'null' });
    expect(opaque.status, 'Origin: null (a sandboxed page)').to.equal(403);
    expect(seen).to.have.length(0);
    const same = await post('/read', { 'content-type': 'application/json', origin: base });
    expect(same.status).to.equal(200);
  });

  it('answers no CORS preflight, so a browser never sends the JSON request of another site', async () => {
    const r = await fetch(`${base}/read`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(r.status).to.be.oneOf([404, 405]);
    expect(r.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('runs a write route only with a configured bearer token, as the identity it names', async () => {
    const json = { 'content-type': 'application/json' };
    const missing = await post('/write', json);
    expect(missing.status).to.equal(401);
    expect(missing.json.error.message).to.match(/Authorization: Bearer.*test\.httpApiTokens/);
    const wrong = await post('/write', { ...json, authorization: 'Bearer a-long-enough-secret-tokem' });
    expect(wrong.status).to.equal(401);
    expect(seen).to.have.length(0);
    const good = await post('/write', { ...json, authorization: `Bearer ${TOKEN.token}` });
    expect(good.status).to.equal(201);
    expect(good.json.as).to.deep.equal({ name: 'ops', uid: 1000, gids: [1000, 27] });
    expect(seen[0]!.identity?.uid).to.equal(1000);
  });

  it('turns write routes off when no token is configured, naming the setting', async () => {
    const open = new RoleHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      tokensSetting: 'test.httpApiTokens',
      routes: [{ method: 'POST', path: '/write', access: 'write', handler: () => ({ json: {} }) }],
    });
    const port = await open.start();
    try {
      const r = await fetch(`http://127.0.0.1:${port}/write`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer anything-at-all-here' },
        body: '{}',
      });
      expect(r.status).to.equal(403);
      expect(((await r.json()) as any).error.message).to.match(/no API token is configured \(test\.httpApiTokens\)/);
    } finally {
      await open.stop();
    }
  });
});

describe('RoleHttpServer over HTTPS (master.httpTls)', function () {
  this.timeout(30_000);
  let server: RoleHttpServer;
  let port = 0;
  let ca: Buffer;

  before(async () => {
    const dir = join(makeTempDir('mooseng-https-'), 'tls');
    initCa(dir, 'test');
    const files = issueCertificate(dir, { role: 'master', name: 'm1', hosts: ['127.0.0.1'] });
    ca = readFileSync(join(dir, 'ca.crt'));
    server = new RoleHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      routes: [{ method: 'GET', path: '/health', handler: () => ({ json: { ok: true } }) }],
      tls: { cert: readFileSync(files.cert), key: readFileSync(files.key) },
    });
    port = await server.start();
  });
  after(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  it('answers over TLS with the node certificate, checked against the CA, and nothing in plain HTTP', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      httpsGet({ host: '127.0.0.1', port, path: '/health', ca }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(text));
      }).once('error', reject);
    });
    expect(JSON.parse(body)).to.deep.equal({ ok: true });
    const plain = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status,
      () => 'no answer',
    );
    expect(plain).to.not.equal(200);
  });
});
