// A task's network connections on the page: the empty state of a task that made none, the table
// filled in when a task ends (one connection allowed, one refused, a host name with markup in it
// shown as text), and the same table again when the session is opened afresh.
import { createServer } from 'node:http';
import { env, main, step, fail } from './lib.mjs';

const timeout = 30_000;
const allowedPort = Number(env('AGOR_ALLOWED_PORT'));

// The host the agent's curl is allowed to reach (network.allowed_hosts names it).
const server = createServer((request, response) => { response.end('hello from the allowed host'); });
await new Promise((resolve) => server.listen(allowedPort, '127.0.0.1', resolve));

// main ends the process, which closes the server.
await main(async (browser) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const log = page.getByRole('log', { name: 'Conversation' });
  const task = (prompt) => page.locator('.task', { has: page.locator('.msg.user', { hasText: prompt }) });

  const checkTable = async (group) => {
    const table = group.getByRole('table', { name: 'Network connections' });
    await table.waitFor({ timeout });
    await group.getByText('Network: 2 connections, 1 refused').waitFor({ timeout });
    const allowed = table.locator('tr.allowed');
    const refused = table.locator('tr.refused');
    if (await allowed.count() !== 1 || await refused.count() !== 1) { fail(`rows: ${await table.innerText()}`); }
    const a = await allowed.locator('td').allInnerTexts();
    if (a[0].trim() !== '✓ allowed' || a[1] !== `127.0.0.1:${allowedPort}` || a[2] !== '127.0.0.1' || !/^[1-9]\d* B$/.test(a[3]) || !/^[1-9]\d* B$/.test(a[4])) { fail(`allowed row: ${JSON.stringify(a)}`); }
    const r = await refused.locator('td').allInnerTexts();
    if (r[0].trim() !== '✗ refused' || r[1] !== '<b>evil:80' || r[3] !== '0 B' || !r[5].startsWith('not_allowed: <b>evil')) { fail(`refused row: ${JSON.stringify(r)}`); }
    // The agent's markup stayed text.
    if (await table.locator('b').count() !== 0) { fail('a host name became markup'); }
  };

  await step('sign in and open the session', async () => {
    await page.goto(env('AGOR_LOGIN_URL'));
    await page.getByRole('link', { name: /Egress test/ }).click({ timeout });
    await page.getByRole('heading', { name: 'Egress test' }).waitFor({ timeout });
  });

  await step('a task without connections says so', async () => {
    await log.getByText('Nothing to fetch.').waitFor({ timeout });
    await task('Say hi').locator('.egress').getByText('No network connections.', { exact: true }).waitFor({ timeout });
  });

  await step('when a task ends its connections show', async () => {
    const prompt = page.getByRole('textbox', { name: 'Prompt' });
    await prompt.fill('Fetch the pages');
    await prompt.press('Enter');
    const group = task('Fetch the pages');
    await group.locator('.task-status').getByText('completed').waitFor({ timeout });
    await log.getByText('Fetched.').waitFor({ timeout });
    await checkTable(group);
    if (process.env.AGOR_WEB_SCREENSHOT) { await page.screenshot({ path: process.env.AGOR_WEB_SCREENSHOT }); }
  });

  await step('opened afresh, the table is there', async () => {
    await page.reload();
    await checkTable(task('Fetch the pages'));
    await task('Say hi').locator('.egress').getByText('No network connections.', { exact: true }).waitFor({ timeout });
  });

  await step('phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('textbox', { name: 'Prompt' }).waitFor({ state: 'visible' });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) { fail(`the page scrolls sideways: ${width}px`); }
  });

  await step('no page errors', async () => { if (errors.length > 0) { fail(`page errors: ${errors.join('; ')}`); } });
});
