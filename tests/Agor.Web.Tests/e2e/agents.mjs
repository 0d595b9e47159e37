// One daemon, three agents: a session of each created through the form, its answer streamed into
// the conversation as the agent's own frames carry it (Claude Code's stream-json, Codex's
// app-server notifications, Gemini's ACP updates).
import { env, main, step, fail } from './lib.mjs';

const workDir = env('AGOR_WORK_DIR');
const agents = env('AGOR_AGENTS').split(',');
const timeout = 30_000;

await main(async (browser) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const log = page.getByRole('log', { name: 'Conversation' });
  const prompt = page.getByRole('textbox', { name: 'Prompt' });

  await step('sign in by link', async () => {
    await page.goto(env('AGOR_LOGIN_URL'));
    await page.getByRole('button', { name: 'New session' }).waitFor({ timeout });
  });

  for (const agent of agents) {
    await step(`${agent}: create a session through the form`, async () => {
      await page.getByRole('button', { name: 'New session' }).click();
      await page.getByRole('textbox', { name: 'Working directory' }).fill(workDir);
      await page.getByRole('combobox', { name: 'Agent' }).selectOption(agent);
      await page.getByRole('combobox', { name: 'Permission mode' }).selectOption('default');
      await page.getByRole('textbox', { name: 'Title' }).fill(`${agent} session`);
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('heading', { name: `${agent} session` }).waitFor({ timeout });
    });

    await step(`${agent}: the streamed answer appears`, async () => {
      await prompt.fill('Say hello');
      await prompt.press('Enter');
      await log.getByText(`Hello from ${agent}.`, { exact: true }).waitFor({ timeout });
      await page.locator('.task').last().locator('.task-status').getByText('completed').waitFor({ timeout });
      const answers = await log.locator('.msg.assistant').count();
      if (answers !== 1) { fail(`${answers} answers shown for one reply`); }
    });
  }

  await step('no page errors', async () => {
    if (errors.length > 0) { fail(errors.join('\n')); }
  });
});
