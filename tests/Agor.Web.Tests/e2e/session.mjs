// The session view end to end: sign in by link, create a session, stream an answer, allow a
// Write, deny a Bash, stop a slow task, reload mid-stream and miss nothing.
import { existsSync, readFileSync } from 'node:fs';
import { env, main, step, fail } from './lib.mjs';

const workDir = env('AGOR_WORK_DIR');
const timeout = 30_000;

await main(async (browser) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const log = page.getByRole('log', { name: 'Conversation' });
  const prompt = page.getByRole('textbox', { name: 'Prompt' });

  const send = async (text) => {
    await prompt.fill(text);
    await prompt.press('Enter');
    await page.locator('.task .msg.user', { hasText: text }).waitFor({ timeout });
  };
  const lastStatus = () => page.locator('.task').last().locator('.task-status');

  await step('sign in by link', async () => {
    await page.goto(env('AGOR_LOGIN_URL'));
    await page.getByRole('button', { name: 'New session' }).waitFor({ timeout });
    await page.getByText('live', { exact: true }).waitFor({ timeout });
  });

  await step('sandbox banner as /health says', async () => {
    const health = await page.evaluate(async () => (await fetch('/health')).json());
    if (!health.sandbox) { fail('/health has no sandbox'); }
    const warning = health.sandbox.warning;
    if (warning) {
      await page.getByRole('alert').filter({ hasText: `Sandbox: ${warning}` }).waitFor({ timeout });
    } else if (!(await page.locator('#sandbox-banner').isHidden())) {
      fail('a sandbox banner is shown although /health has no warning');
    }
  });

  await step('create a session', async () => {
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByRole('textbox', { name: 'Working directory' }).fill(workDir);
    await page.getByRole('combobox', { name: 'Permission mode' }).selectOption('default');
    await page.getByRole('textbox', { name: 'Title' }).fill('Web test');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Web test' }).waitFor({ timeout });
    await page.getByRole('link', { name: /Web test/ }).waitFor({ timeout });
  });

  await step('send a prompt and see the streamed answer', async () => {
    await send('Say hello');
    await log.getByText('Hello from the agent.').waitFor({ timeout });
    await lastStatus().getByText('completed').waitFor({ timeout });
    const status = await lastStatus().textContent();
    if (!/out tokens/.test(status) || !/\$/.test(status)) { fail(`no usage or cost in "${status}"`); }
    await page.locator('.task').last().locator('.egress').getByText('No network connections.', { exact: true }).waitFor({ timeout });
  });

  await step('Shift+Enter breaks a line', async () => {
    await prompt.fill('one');
    await prompt.press('Shift+Enter');
    await prompt.pressSequentially('two');
    const value = await prompt.inputValue();
    if (value !== 'one\ntwo') { fail(`prompt is ${JSON.stringify(value)}`); }
    await prompt.fill('');
  });

  await step('allow a Write and see the file appear', async () => {
    await send('Write notes.txt');
    const request = log.getByRole('group', { name: 'Permission request: Write' });
    await request.waitFor({ timeout });
    await request.getByText(env('AGOR_NOTES')).waitFor();
    await page.getByRole('button', { name: 'Stop' }).waitFor({ timeout });
    await request.getByRole('button', { name: 'Allow' }).click();
    await log.getByText('Written as asked.').waitFor({ timeout });
    await request.getByText('allowed').waitFor({ timeout });
    if (readFileSync(env('AGOR_NOTES'), 'utf8') !== 'written from the page\n') { fail('notes.txt has other content'); }
    const tool = log.locator('details.tool', { hasText: 'Tool: Write' }).last();
    await tool.locator('summary').click();
    await tool.locator('.result').getByText(/Result/).waitFor({ timeout });
    await lastStatus().getByText('completed').waitFor({ timeout });
    await page.getByRole('button', { name: 'Stop' }).waitFor({ state: 'hidden', timeout });
    if (process.env.AGOR_WEB_SCREENSHOT) { await page.screenshot({ path: process.env.AGOR_WEB_SCREENSHOT }); }
  });

  await step('deny a Bash', async () => {
    await send('Touch a file');
    const request = log.getByRole('group', { name: 'Permission request: Bash' });
    await request.getByRole('button', { name: 'Deny' }).click({ timeout });
    await log.getByText('Understood, no shell.').waitFor({ timeout });
    await request.getByText('denied').waitFor({ timeout });
    if (existsSync(env('AGOR_MARKER'))) { fail('the denied command ran'); }
  });

  await step('stop a slow task', async () => {
    await send('Talk slowly');
    await log.getByText(/tick3 /).waitFor({ timeout });
    await page.getByRole('button', { name: 'Stop' }).click();
    await lastStatus().getByText('stopped').waitFor({ timeout });
    await page.getByRole('button', { name: 'Stop' }).waitFor({ state: 'hidden', timeout });
  });

  await step('reload mid-stream', async () => {
    await send('Count');
    await log.getByText(/tick2 /).waitFor({ timeout });
    await page.reload();
    await log.getByText('Count', { exact: true }).waitFor({ timeout });
    await lastStatus().getByText('completed').waitFor({ timeout });
    const all = Array.from({ length: 20 }, (_, i) => `tick${i}`).join(' ');
    await log.getByText(all).waitFor({ timeout });
    // Everything before the reload is back as well, each message once.
    for (const text of ['Hello from the agent.', 'Written as asked.', 'Understood, no shell.']) {
      const count = await log.getByText(text, { exact: true }).count();
      if (count !== 1) { fail(`"${text}" shown ${count} times`); }
    }
  });

  await step('executors list', async () => {
    await page.getByRole('table', { name: 'Executors' }).waitFor();
  });

  await step('phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await prompt.waitFor({ state: 'visible' });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) { fail(`the page scrolls sideways: ${width}px`); }
  });

  await step('no page errors', async () => { if (errors.length > 0) { fail(`page errors: ${errors.join('; ')}`); } });
});
