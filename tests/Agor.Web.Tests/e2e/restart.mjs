// The page after the daemon restarts: it reconnects by itself and shows what happened meanwhile.
// The harness restarts the daemon when this script prints "ready-for-restart", and writes a line
// on its stdin once the daemon is back and a prompt was sent to the session through the API.
import { createInterface } from 'node:readline';
import { env, main, step } from './lib.mjs';

const timeout = 30_000;
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

await main(async (browser) => {
  const page = await browser.newPage();
  const log = page.getByRole('log', { name: 'Conversation' });

  await step('sign in and open the session', async () => {
    await page.goto(env('AGOR_LOGIN_URL'));
    await page.getByRole('link', { name: /Restart test/ }).click({ timeout });
    await log.getByText('Before the restart.').waitFor({ timeout });
    await page.getByText('live', { exact: true }).waitFor({ timeout });
  });

  console.log('ready-for-restart');
  await lines.next();

  await step('reconnects by itself and shows what happened meanwhile', async () => {
    try {
      await log.getByText('After the restart.').waitFor({ timeout });
    } catch (error) {
      console.error(`connection: ${await page.locator('#connection').textContent()}; conversation: ${await log.textContent()}`);
      throw error;
    }
    await page.getByText('live', { exact: true }).waitFor({ timeout });
    const count = await log.getByText('Before the restart.', { exact: true }).count();
    if (count !== 1) { throw new Error(`"Before the restart." shown ${count} times`); }
  });
});
