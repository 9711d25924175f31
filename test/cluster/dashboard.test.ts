// The web dashboard as an operator sees it: Debian's Chromium (headless, driven by playwright-core) opens the leader's
// page on a real 3/3/3 cluster. The page names the leader and term the masters report, draws every chunkserver alive
// and the files written through a mount (docs/dashboard.png; refresh it with MOOSENG_UPDATE_SCREENSHOT=1), shows a
// killed chunkserver dead with an event about it, and keeps its last data, marked stale, once its master is gone.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { cleanupTempDirs, REPO_ROOT, waitFor } from '../support';
import { TestCluster } from './harness';

/** Debian's package (apt-get install chromium; .ci/run and `npm test` install it): playwright downloads no browser here. */
const CHROMIUM_BIN = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Longest wait for the page to show something the cluster already knows (two polls, with room for a slow machine). */
const PAGE_UPDATE_MS = 10_000;
/** A killed chunkserver is marked dead after the local cluster's chunkserverTimeoutMs (5 s) plus a registry sweep. */
const CHUNKSERVER_DEAD_MS = 60_000;
const FILES_WRITTEN = 6;

describe('web dashboard in Chromium on a 3/3/3 cluster', function () {
  this.timeout(120_000);
  let cluster: TestCluster | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let leader: string;
  let term: number;
  /** Uncaught errors in the page: the page must never throw, whatever /status holds. */
  const pageErrors: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM_BIN)) {
      console.log(`    skipped: no ${CHROMIUM_BIN}; install Debian's package (apt-get install chromium; .ci/run does)`);
      this.skip();
    }
    cluster = await TestCluster.start({ masters: 3, chunkservers: 3, clients: 3 });
    browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    if (cluster) console.error(cluster.logs());
    if (page)
      console.error(
        `--- page text\n${await page
          .locator('body')
          .innerText()
          .catch((err: Error) => err.message)}`,
      );
  });

  const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);
  const chunkserver = (id: string) => page.locator(`[data-testid="chunkserver"][data-id="${id}"]`);
  const figure = async (id: string) => Number((await byTestId(id).innerText()).replace(/,/g, ''));

  it('serves the page and its assets from every master with their content types', async () => {
    for (const master of cluster!.nodes('master')) {
      const origin = `http://127.0.0.1:${master.httpPort}`;
      for (const [path, type] of [
        ['/', 'text/html'],
        ['/dashboard', 'text/html'],
        ['/dashboard/dashboard.js', 'text/javascript'],
        ['/dashboard/dashboard.css', 'text/css'],
      ]) {
        const res = await fetch(`${origin}${path}`);
        expect(res.status, `${master.id} ${path}`).to.equal(200);
        expect(res.headers.get('content-type'), `${master.id} ${path}`).to.contain(type);
        await res.arrayBuffer();
      }
    }
  });

  it('names the leader and term the masters report, and draws three chunkservers alive', async () => {
    // Followers learn of the leader from its first heartbeat, so they may need a moment after the cluster is up.
    const answer = await waitFor(
      'every master to name the same leader in the same term',
      async () => {
        const answers = await Promise.all(cluster!.nodes('master').map((m) => cluster!.http(m.id, '/health')));
        const first = answers[0]!.json;
        return first.leader && answers.every((a) => a.json.leader === first.leader && a.json.term === first.term) ? first : null;
      },
      PAGE_UPDATE_MS,
      200,
    );
    leader = answer.leader;
    term = answer.term;
    // What a load balancer asks: 200 on exactly the leader, 503 on the followers.
    for (const m of cluster!.nodes('master'))
      expect((await cluster!.http(m.id, '/health?leader')).status, `/health?leader on ${m.id}`).to.equal(m.id === leader ? 200 : 503);

    await page.goto(`http://127.0.0.1:${cluster!.node(leader).httpPort}/`);
    await page.locator('[data-testid="chunkserver"]').nth(2).waitFor({ timeout: PAGE_UPDATE_MS });
    expect(await byTestId('leader').innerText()).to.equal(leader);
    expect(await byTestId('leader').getAttribute('data-leader')).to.equal(leader);
    expect(await byTestId('term').innerText()).to.equal(String(term));
    expect(await page.locator('[data-testid="master"]').count()).to.equal(3);
    expect(await page.locator('[data-testid="master"][data-leader="true"]').getAttribute('data-id')).to.equal(leader);
    for (const id of ['cs1', 'cs2', 'cs3']) expect(await chunkserver(id).getAttribute('data-alive'), id).to.equal('true');
    expect(await page.locator('[data-testid="chunkserver"][data-alive="false"]').count()).to.equal(0);
    expect(await byTestId('stale-banner').isHidden()).to.equal(true);
    expect(pageErrors).to.deep.equal([]);
  });

  it('draws the files written through a mount with the cluster healthy (the page of docs/dashboard.png)', async () => {
    const dir = join(cluster!.nodes('client')[0]!.mountPoint, 'photos');
    await mkdir(dir);
    for (let i = 0; i < FILES_WRITTEN; i++) await writeFile(join(dir, `photo-${i}.jpg`), randomBytes((i + 1) * 512 * 1024));

    await waitFor('the files written to show', async () => (await figure('files')) >= FILES_WRITTEN, PAGE_UPDATE_MS, 250);
    await waitFor('their chunks to show', async () => (await figure('chunks')) >= FILES_WRITTEN, PAGE_UPDATE_MS, 250);
    await page.locator('[data-testid="health"][data-state="healthy"]').waitFor({ timeout: PAGE_UPDATE_MS });
    expect(await figure('health-score')).to.equal(100);
    expect(await figure('directories')).to.be.greaterThanOrEqual(2);
    expect(await figure('missing-chunks')).to.equal(0);
    expect(await byTestId('file-bytes').innerText()).to.match(/^\d+(\.\d+)? MiB$/);
    // Written data shows on the chunkservers too: chunk bytes and counts, and how full their disks are.
    const storedReplicas = async () => {
      let replicas = 0;
      for (const id of ['cs1', 'cs2', 'cs3']) {
        const stored = /^\d+(\.\d+)? (B|KiB|MiB) in (\d+) chunks$/.exec(
          await chunkserver(id).locator('[data-testid="chunkserver-stored"]').innerText(),
        );
        if (!stored) throw new Error(`${id}: stored figure unreadable`);
        replicas += Number(stored[3]);
      }
      return replicas;
    };
    // Chunkservers report their chunks with each heartbeat (1 s), so the page may show them a poll later.
    await waitFor(
      'two replicas of every chunk (goal 2) on the chunkserver cards',
      async () => (await storedReplicas()) >= 2 * FILES_WRITTEN,
      PAGE_UPDATE_MS,
      250,
    );
    for (const id of ['cs1', 'cs2', 'cs3']) {
      expect(await chunkserver(id).locator('[data-testid="chunkserver-usage"]').innerText(), id).to.match(
        /^\d+% full, \d+(\.\d+)? [KMGT]iB free$/,
      );
    }
    expect(
      await page.locator('[data-testid="event"]').count(),
      'the leader has events (its election, chunkservers registering)',
    ).to.be.greaterThan(0);

    // docs/dashboard.png is refreshed on request only (MOOSENG_UPDATE_SCREENSHOT=1), so test runs leave the tree clean.
    const shot = await page.screenshot({
      path: process.env.MOOSENG_UPDATE_SCREENSHOT === '1' ? join(REPO_ROOT, 'docs', 'dashboard.png') : undefined,
      fullPage: true,
    });
    expect(shot.length, 'a PNG of the page').to.be.greaterThan(10_000);
  });

  it('shows a killed chunkserver dead, with an event about it', async () => {
    await cluster!.stopNode('cs2', 'kill');
    await page.locator('[data-testid="chunkserver"][data-id="cs2"][data-alive="false"]').waitFor({ timeout: CHUNKSERVER_DEAD_MS });
    expect(await chunkserver('cs2').locator('[data-testid="chunkserver-state"]').innerText()).to.equal('dead');
    for (const id of ['cs1', 'cs3']) expect(await chunkserver(id).getAttribute('data-alive'), id).to.equal('true');
    expect(await byTestId('chunkserver-count').innerText()).to.contain('1 dead');

    // The registry's warning, with the server's id among its fields; the newest events come first.
    const event = page.locator('[data-testid="event"][data-level="warn"]', { hasText: 'cs2' }).first();
    await event.waitFor({ timeout: PAGE_UPDATE_MS });
    expect(await event.innerText()).to.match(/dead|silent|lost/i);
    expect(await page.locator('[data-testid="health"]').getAttribute('data-state')).to.not.equal('healthy');
    expect(await page.locator('[data-testid="health-reason"]', { hasText: 'cs2' }).count()).to.be.greaterThan(0);
    expect(pageErrors).to.deep.equal([]);
  });

  it('keeps the last data, marked stale, when its master stops answering', async () => {
    await cluster!.stopNode(leader, 'kill');
    await byTestId('stale-banner').waitFor({ state: 'visible', timeout: PAGE_UPDATE_MS });
    expect(await byTestId('stale-banner').innerText()).to.match(/Cannot fetch \/status.*out of date/);
    expect(await page.locator('[data-testid="chunkserver"]').count()).to.equal(3);
    expect(await byTestId('leader').innerText()).to.equal(leader);
    expect(pageErrors).to.deep.equal([]);
  });
});
