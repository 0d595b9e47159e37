// A pending Allow/Deny card survives a reload and still answers; a prompt sent with its own
// permission mode and model says so; a stopped task reads "stopped" with what it used, not as an error.
import { env, main, step, fail } from './lib.mjs';

const timeout = 30_000;

await main(async (browser) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const log = page.getByRole('log', { name: 'Conversation' });
  const card = () => log.getByRole('group', { name: 'Permission request: Write' });
  const lastStatus = () => page.locator('.task').last().locator('.task-status');

  await step('sign in and open the session', async () => {
    await page.goto(env('AGOR_LOGIN_URL'));
    await page.getByRole('button', { name: 'New session' }).waitFor({ timeout });
    await page.goto(`${env('AGOR_URL')}/#/sessions/${env('AGOR_SESSION')}`);
    await card().getByRole('button', { name: 'Allow' }).waitFor({ timeout });
  });

  await step('the pending card survives a reload', async () => {
    await page.reload();
    await card().getByRole('button', { name: 'Allow' }).waitFor({ timeout });
    const cards = await log.getByRole('group', { name: /Permission request/ }).count();
    if (cards !== 1) { fail(`${cards} permission cards after the reload`); }
  });

  await step('allowed after the reload, the task goes on', async () => {
    await card().getByRole('button', { name: 'Allow' }).click();
    await log.getByText('Written after the reload.').waitFor({ timeout });
    await card().getByText('Allowed on the web page.').waitFor({ timeout });
    await lastStatus().getByText('completed').waitFor({ timeout });
  });

  await step('a prompt with its own permission mode and model', async () => {
    await page.getByRole('combobox', { name: 'Permission mode for this prompt' }).selectOption('acceptEdits');
    await page.getByRole('combobox', { name: 'Model for this prompt' }).fill('claude-haiku-4-5');
    const prompt = page.getByRole('textbox', { name: 'Prompt' });
    await prompt.fill('Talk slowly');
    await prompt.press('Enter');
    await log.getByText(/tick3 /).waitFor({ timeout });
    await lastStatus().getByText(/acceptEdits/).waitFor({ timeout });
    await lastStatus().getByText(/claude-haiku-4-5/).waitFor({ timeout });
  });

  await step('a stopped task reads stopped, with its usage', async () => {
    await page.getByRole('button', { name: 'Stop' }).click();
    await lastStatus().getByText('stopped', { exact: true }).waitFor({ timeout });
    const status = await lastStatus().textContent();
    const match = /(\d+) in \/ (\d+) out tokens/.exec(status);
    if (!match || Number(match[2]) === 0) { fail(`no output tokens in "${status}"`); }
    if (!/\$\d+\.\d{4}/.test(status)) { fail(`no cost in "${status}"`); }
    const task = page.locator('.task').last();
    if (await task.getByText(/error_during_execution|Error:/).count() > 0) { fail('the stopped task shows an error'); }
  });

  await step('no page errors', async () => { if (errors.length > 0) { fail(`page errors: ${errors.join('; ')}`); } });
});
