// The operator console in Debian's headless Chromium, driven by playwright-core. Run by console_test.cpp, which
// starts hookd and the customer sink and passes (environment variables):
//   HOOKD_CONSOLE_URL     http://127.0.0.1:<port>/console
//   HOOKD_TOKEN_A         environment A's API token (A has one endpoint, HOOKD_A_TARGET_URL)
//   HOOKD_OPERATOR_TOKEN  the operator token
//   HOOKD_SINK_CONTROL    the sink's switch: POST <it>/fail makes A's endpoint answer 500, <it>/ok 200
//   HOOKD_B_IDS           environment B's ids, endpoint URL, delivery and event id, comma-separated: none may
//                         ever reach A's page
//   HOOKD_ARTIFACTS_DIR   where the screenshots go
//   HOOKD_ACCOUNT_A       A's integrated account (Shopify-style: base64 HMAC-SHA256 of the body with
//   HOOKD_VENDOR_SECRET   this secret in X-Shopify-Hmac-Sha256), for the Inbound view's vendor requests
// Every wait is on a condition (a selector, a status badge); prints "ok: ..." per check, "screenshot: <path>" per
// picture, and "console: scenario passed" at the end. Any failure exits 1.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const consoleUrl = need('HOOKD_CONSOLE_URL');
const tokenA = need('HOOKD_TOKEN_A');
const operatorToken = need('HOOKD_OPERATOR_TOKEN');
const targetA = need('HOOKD_A_TARGET_URL');
const sinkControl = need('HOOKD_SINK_CONTROL');
const bIds = need('HOOKD_B_IDS').split(',');
const artifacts = need('HOOKD_ARTIFACTS_DIR');
const accountA = need('HOOKD_ACCOUNT_A');
const vendorSecret = need('HOOKD_VENDOR_SECRET');
const origin = new URL(consoleUrl).origin;
const WAIT = { timeout: 30_000 };

function check(condition, what) {
  if (!condition) throw new Error(`FAILED: ${what}`);
  console.log(`ok: ${what}`);
}

async function shot(page, name) {
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

async function sink(state) {
  const res = await fetch(`${sinkControl}/${state}`, { method: 'POST' });
  if (!res.ok) throw new Error(`sink control ${state}: ${res.status}`);
}

// The test's own API call (not the page's): a test event for A's endpoint.
async function sendTestEventA(webhookId) {
  const res = await fetch(`${origin}/webhook/test`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tokenA}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: webhookId }),
  });
  if (res.status !== 202) throw new Error(`POST /webhook/test: ${res.status} ${await res.text()}`);
}

// A vendor's request to A's account, signed with `secret` (the account's, or a wrong one); its answer's status.
async function vendorPost(secret, deliveryId) {
  const body = JSON.stringify({ id: deliveryId, note: 'console test order' });
  const res = await fetch(`${origin}/integrated-account-webhook/${accountA}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Webhook-Id': deliveryId,
      'X-Shopify-Hmac-Sha256': crypto.createHmac('sha256', secret).update(body).digest('base64') },
    body,
  });
  return res.status;
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookd-console-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1360, height: 860 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Everything the browser did, checked at the end: every URL it loaded or navigated to, every API answer it
// received (B's ids must be in none, except the one deliberate probe below), every script error.
const urls = [];
const apiBodies = [];
const errors = [];
let probing = false;
context.on('request', (r) => urls.push(r.url()));
context.on('response', async (r) => {
  if (!r.url().startsWith(origin) || r.url().startsWith(`${origin}/console`)) return;
  const body = await r.text().catch(() => '');
  if (!probing) apiBodies.push(`${r.url()} ${body}`);
});

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('framenavigated', (f) => urls.push(f.url()));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // The API's 4xx answers the console handles (a wrong token, the probe) are logged by Chromium as
    // "Failed to load resource"; anything else (a CSP violation, an exception) is a failure.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  const text = () => page.evaluate(() => document.body.innerText);

  // Sign-in page, its headers.
  const first = await page.goto(consoleUrl);
  check(first.status() === 200, 'GET /console answers 200');
  check(first.headers()['content-security-policy']?.startsWith("default-src 'self'"), "the page's CSP is default-src 'self'");
  check(first.headers()['x-content-type-options'] === 'nosniff', 'the page is sent with nosniff');
  await page.locator('#sign-in').waitFor(WAIT);
  await page.fill('#token', 'not-a-token');
  await page.click('#sign-in button[type=submit]');
  await page.locator('#sign-in-error', { hasText: 'This token is not valid.' }).waitFor(WAIT);
  check(true, 'a wrong token is refused with a message');
  await shot(page, 'sign-in.png');

  // Environment A's token: the deliveries view, empty at first.
  await page.fill('#token', tokenA);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#deliveries td.empty').waitFor(WAIT);
  check(await page.locator('#sign-in').isHidden(), 'signed in, the sign-in form is gone');
  const storage = await page.evaluate(() => ({ session: sessionStorage.getItem('hookd.console.token'), local: localStorage.length }));
  check(storage.session === tokenA && storage.local === 0, 'the token is in sessionStorage only');

  // Endpoints: A's one endpoint, and its id for the test's own calls.
  await page.click('#nav a[data-view=endpoints]');
  const rowA = page.locator('#endpoints tr', { hasText: targetA });
  await rowA.waitFor(WAIT);
  const webhookA = await rowA.getAttribute('data-id');
  check((await page.locator('#endpoints tbody tr').count()) === 1, "the endpoints view lists A's one endpoint");

  // A delivery arrives while the list is open (the view polls; no reload).
  await page.click('#nav a[data-view=deliveries]');
  await page.locator('#deliveries td.empty').waitFor(WAIT);
  await sendTestEventA(webhookA);
  const succeeded = page.locator('#deliveries tr[data-status=succeeded]');
  await succeeded.first().waitFor(WAIT);
  check((await succeeded.count()) === 1, 'a delivery appears in the open list as succeeded');
  check((await succeeded.first().innerText()).includes(targetA), "the row names A's endpoint");
  await shot(page, 'deliveries.png');

  // Its detail: the attempt with status 200 and the sink's answer.
  await succeeded.first().click();
  await page.locator('#attempts td', { hasText: 'thanks' }).waitFor(WAIT);
  check((await page.locator('#attempts tbody tr').count()) === 1, 'the detail lists the one attempt with its response');
  await shot(page, 'delivery-detail.png');
  // Its event body (GET /event/{id}), pretty-printed, and the request headers with the signatures masked.
  const eventBody = page.locator('#event-body');
  await eventBody.waitFor(WAIT);
  const shown = JSON.parse(await eventBody.innerText());
  check(shown.event === 'test' && shown.payload.message === 'This is a test event from hookd.' && shown.webhook_id === webhookA,
    "the delivery shows its event's body");
  await page.click('#attempts details.headers summary');
  const headers = await page.locator('#attempts details.headers pre').first().innerText();
  check(headers.includes('X-Truto-Signature: format=sha256,v=••••••••') && headers.includes('webhook-signature: v1,••••••••') &&
    !headers.includes('whsec_'), 'the request headers are shown with the signatures masked');
  await eventBody.scrollIntoViewIfNeeded();
  await shot(page, 'delivery-body.png');

  // The endpoint fails: a test event sent from the Endpoints view is dead-lettered after its attempts.
  await sink('fail');
  await page.click('#nav a[data-view=endpoints]');
  await rowA.locator('button[data-action=test]').click();
  await page.locator('#flash', { hasText: 'queued' }).waitFor(WAIT);
  check(true, 'Send test queues a test event');
  await page.click('#nav a[data-view=deliveries]');
  await page.selectOption('#delivery-filters select[name=status]', 'failed');
  const failed = page.locator('#deliveries tr[data-status=failed]');
  await failed.first().waitFor(WAIT);
  check((await page.locator('#deliveries tr[data-status=succeeded]').count()) === 0, 'the status filter shows failed deliveries only');
  await sink('ok');

  // A time range in the future matches nothing; cleared, the failed delivery is back.
  const later = new Date(Date.now() + 3600_000);
  const local = new Date(later.getTime() - later.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
  await page.fill('#delivery-filters input[name=since]', local);
  await page.locator('#deliveries td.empty').waitFor(WAIT);
  await page.fill('#delivery-filters input[name=since]', '');
  await failed.first().waitFor(WAIT);
  check(true, 'the time range filter narrows the list');

  // Replay it from its detail: dry run, confirmation, then it succeeds while the page watches.
  await failed.first().click();
  await page.locator('#detail-status .badge.failed').waitFor(WAIT);
  check((await page.locator('#attempts td', { hasText: 'sink is down (test)' }).count()) >= 1, "the failed attempts show the sink's 500 answer");
  await page.click('#replay');
  await page.locator('#confirm[open]', { hasText: '1 delivery will be sent again' }).waitFor(WAIT);
  await shot(page, 'replay-confirm.png');
  await page.click('#confirm-ok');
  await page.locator('#detail-status .badge.succeeded').waitFor(WAIT);
  check((await page.locator('#attempts .badge.replay').count()) === 1, 'the replayed attempt is marked as a replay');
  await shot(page, 'replayed.png');

  // All failed deliveries of an endpoint: two fail, the dry run counts them, the replay sends both.
  await sink('fail');
  await sendTestEventA(webhookA);
  await sendTestEventA(webhookA);
  await page.click('#nav a[data-view=deliveries]');
  await page.selectOption('#delivery-filters select[name=status]', '');
  await page.locator('#deliveries tr[data-status=failed]').nth(1).waitFor(WAIT);
  check((await page.locator('#deliveries tbody tr').count()) === 4, 'the unfiltered list shows all four deliveries, two of them failed');
  await shot(page, 'deliveries-history.png');
  await sink('ok');
  await page.click('#nav a[data-view=endpoints]');
  await rowA.locator('button[data-action=replay]').click();
  await page.locator('#replay-count', { hasText: '2 failed deliveries' }).waitFor(WAIT);
  check(true, "the endpoint's replay shows the dry run's count (2) before sending");
  // A slow rate (one every 3.3 s), so that the job is seen running before it finishes.
  await page.fill('#replay-rate', '0.3');
  await page.click('#confirm-ok');
  await page.locator('#replay-job[data-state=running] #replay-job-cancel').waitFor(WAIT);
  check(await page.locator('#replay-job-progress').isVisible(), 'the replay job is shown running, with its progress bar and Cancel');
  await page.locator('#replay-job[data-state=succeeded]').waitFor(WAIT);
  const counts = await page.locator('#replay-job-counts').innerText();
  check(counts.startsWith('2 of 2 processed · 2 replayed · 0.3/s'), `the job runs to completion (${counts})`);
  check((await page.locator('#replay-job-progress').getAttribute('value')) === '2', 'its progress bar is full');
  await shot(page, 'replay-done.png');
  await page.click('#replay-job-close');
  await page.click('#nav a[data-view=deliveries]');
  await page.selectOption('#delivery-filters select[name=status]', 'failed');
  await page.locator('#deliveries td.empty').waitFor(WAIT);
  await page.selectOption('#delivery-filters select[name=status]', 'succeeded');
  await page.locator('#deliveries tr[data-status=succeeded]').nth(3).waitFor(WAIT);
  check(true, 'both replayed deliveries succeed: no failed one is left');
  // A filtered set (the list's filter: succeeded) as a job, one every 2 s: its progress moves (the runner writes
  // it about once a second), and Cancel stops it before the end.
  await page.click('#replay-filtered');
  await page.locator('#replay-count', { hasText: 'succeeded deliveries matching the filters will be sent again' }).waitFor(WAIT);
  await page.fill('#replay-rate', '0.5');
  await page.click('#confirm-ok');
  await page.locator('#replay-job[data-state=running] #replay-job-counts', { hasText: /^[1-9]\d* of \d+ processed/ }).waitFor(WAIT);
  check(Number(await page.locator('#replay-job-progress').getAttribute('value')) >= 1, 'a running job shows its progress as it moves');
  await shot(page, 'replay-progress.png');
  await page.click('#replay-job-cancel');
  await page.locator('#replay-job[data-state=cancelled]').waitFor(WAIT);
  const cancelled = await page.locator('#replay-job-counts').innerText();
  const [processed, selected] = cancelled.match(/^(\d+) of (\d+) processed/).slice(1).map(Number);
  check(selected >= 4 && processed < selected, `a filtered set replays as a job, and Cancel stops it (${cancelled})`);
  await page.click('#replay-job-close');
  await page.selectOption('#delivery-filters select[name=status]', '');

  // Disable and enable the endpoint.
  await page.click('#nav a[data-view=endpoints]');
  await rowA.locator('button[data-action=toggle]').click();
  await page.click('#confirm-ok');
  await rowA.locator('.badge.disabled').waitFor(WAIT);
  await rowA.locator('button[data-action=toggle]', { hasText: 'Enable' }).click();
  await rowA.locator('.badge.active').waitFor(WAIT);
  check(true, 'the endpoint is disabled and enabled again');
  // Its deliveries: the list filtered by this endpoint.
  await rowA.locator('button[data-action=deliveries]').click();
  await page.locator('#deliveries tr[data-status=succeeded]').nth(3).waitFor(WAIT);
  check((await page.inputValue('#delivery-filters select[name=endpoint]')) === webhookA, "the endpoint's Deliveries button filters the list by it");
  await page.selectOption('#delivery-filters select[name=endpoint]', '');
  await page.click('#nav a[data-view=endpoints]');
  await rowA.waitFor(WAIT);
  await shot(page, 'endpoints.png');

  // Rotate its secret: shown once, then gone from the page and the browser's storage.
  await rowA.locator('button[data-action=rotate]').click();
  await page.click('#confirm-ok');
  const secretEl = page.locator('#new-secret');
  await secretEl.waitFor(WAIT);
  const secret = await secretEl.innerText();
  check(secret.startsWith('whsec_'), 'the new secret is shown');
  await shot(page, 'secret-rotated.png');
  await page.click('#confirm-ok');
  await secretEl.waitFor({ state: 'detached', ...WAIT });
  const after = await page.evaluate(() => document.documentElement.outerHTML + JSON.stringify(sessionStorage) + JSON.stringify(localStorage));
  check(!after.includes(secret) && !(await text()).includes(secret), 'the secret is not kept once its dialog is closed');

  // Health: the list's columns, then the endpoint's page with its charts. One more delivery fails first, so
  // that the endpoint is failing and the outcome chart has both kinds of bars.
  await sink('fail');
  await sendTestEventA(webhookA);
  await page.click('#nav a[data-view=endpoints]');
  await rowA.locator('td.success-rate', { hasText: '%' }).waitFor(WAIT);
  check(/^\d+(\.\d)?%$/.test(await rowA.locator('td.success-rate').innerText()) &&
    /^\d+ \/ \d+ ms$/.test(await rowA.locator('td.latency').innerText()), 'the endpoints list shows success rate and latency');
  await page.locator('#env-chart-outcomes rect.bar').first().waitFor(WAIT);
  check((await page.locator('#env-chart-latency circle').count()) >= 1, "the environment's charts are drawn under the list");
  await rowA.locator('button[data-action=health]').click();
  await page.locator('#chart-outcomes rect.bar[data-outcome=failed]').first().waitFor(WAIT);
  await page.locator('#health-state .badge.failing').waitFor(WAIT);
  check(true, "the endpoint's state is shown as failing after its last delivery failed");
  check(/%$/.test(await page.locator('#health-success').innerText()) &&
    /^p50 \d+ ms · p95 \d+ ms/.test(await page.locator('#health-latency').innerText()), 'its success rate and latency percentiles are shown');
  await page.locator('#chart-outcomes rect.bar[data-outcome=succeeded]').first().waitFor(WAIT);
  check((await page.locator('#chart-outcomes rect.bar[data-outcome=failed]').count()) >= 1, 'the outcome chart draws succeeded and failed bars');
  await sink('ok');
  check((await page.locator('#chart-latency circle[data-percentile=p95]').count()) >= 1, 'the latency chart draws its percentiles');
  await shot(page, 'endpoint-health.png');
  await page.locator('#charts').screenshot({ path: path.join(artifacts, 'charts.png') });
  console.log(`screenshot: ${path.join(artifacts, 'charts.png')}`);

  // Inbound: one accepted vendor request and one with a wrong signature, with their verdicts.
  check((await vendorPost(vendorSecret, 'console-accepted-1')) === 200, 'a signed vendor request is accepted');
  check((await vendorPost('not-the-secret', 'console-forged-1')) === 401, 'a forged vendor request is refused');
  await page.click('#nav a[data-view=inbound]');
  await page.locator('#inbound tr[data-verdict=accepted]').waitFor(WAIT);
  await page.locator('#inbound tr[data-verdict=signature_failed]').waitFor(WAIT);
  const forged = await page.locator('#inbound tr[data-verdict=signature_failed]').innerText();
  check(forged.includes('signature failed') && forged.includes('401'), 'the Inbound view shows the refused request as signature failed (401)');
  check((await page.locator('#inbound tr[data-verdict=accepted]').innerText()).includes('record:'), 'and the accepted one with the event it became');
  await page.selectOption('#inbound-filters select[name=verdict]', 'signature_failed');
  await page.locator('#inbound tr[data-verdict=accepted]').waitFor({ state: 'detached', ...WAIT });
  check((await page.locator('#inbound tbody tr').count()) === 1, 'the verdict filter keeps the refused one only');
  await page.selectOption('#inbound-filters select[name=verdict]', '');
  await page.locator('#inbound tr[data-verdict=accepted]').waitFor(WAIT);
  await shot(page, 'inbound.png');

  // Isolation: nothing of B in any view or in any answer the page received.
  for (const view of ['deliveries', 'endpoints', 'inbound']) {
    await page.click(`#nav a[data-view=${view}]`);
    await page.locator(`#${view} table`).waitFor(WAIT);
    const html = await page.content();
    check(bIds.every((id) => !html.includes(id)), `the ${view} view shows nothing of environment B`);
  }
  check(apiBodies.length > 10 && apiBodies.every((b) => bIds.every((id) => !b.includes(id))),
    `none of the ${apiBodies.length} API answers the page received holds B's ids`);
  for (const route of ['/event/', '/stats/deliveries', '/stats?', '/inbound?', '/replay/', '/integrated-account'])
    check(apiBodies.some((b) => b.split(' ')[0].includes(route)), `the answers checked include ${route}`);
  check(apiBodies.every((b) => !b.includes('whsec_') || b.includes('/rotate-secret ')), 'no API answer but the rotation holds a secret');
  // Even B's delivery id typed into the address bar shows nothing: the API answers A's token 404.
  probing = true;
  await page.evaluate((id) => (location.hash = `#/deliveries/${id}`), bIds[2]);
  await page.locator('#flash.error', { hasText: 'not found' }).waitFor(WAIT);
  check((await page.locator('#delivery-facts dd').count()) === 0, "B's delivery, asked for by id, is not shown (404)");
  await page.evaluate((id) => (location.hash = `#/endpoints/${id}`), bIds[1]);
  await page.locator('#flash.error', { hasText: 'not found' }).waitFor(WAIT);
  check((await page.locator('#endpoint-health').count()) === 0, "B's endpoint health, asked for by id, is not shown (404)");
  probing = false;

  // Sign out; the operator token sees the environments.
  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor(WAIT);
  check((await page.evaluate(() => sessionStorage.length)) === 0, 'signing out forgets the token');
  await page.fill('#token', operatorToken);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#view table tbody tr').nth(1).waitFor(WAIT);
  const envText = await text();
  check(envText.includes('beta') && envText.includes('e2e'), 'the operator token lists the environments');
  check(await page.locator('#nav a[data-view=deliveries]').isHidden(), 'the operator is not offered the environment views');
  await shot(page, 'environments.png');

  // No token in any URL the browser loaded or showed, ever.
  check(urls.length > 0 && urls.every((u) => !u.includes(tokenA) && !u.includes(operatorToken)),
    `no token in any of the ${urls.length} URLs the browser requested or navigated to`);
  check(errors.length === 0, `no script error or CSP violation${errors.length ? ': ' + errors.join('; ') : ''}`);
  console.log('console: scenario passed');
} catch (e) {
  console.error(e.stack ?? String(e));
  const page = context.pages()[0];
  if (page) await shot(page, 'failure.png').catch(() => {});
  process.exitCode = 1;
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
