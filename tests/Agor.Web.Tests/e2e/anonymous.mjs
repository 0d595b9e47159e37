// An anonymous browser gets 401 from the API and sees how to sign in; a used link does not sign
// in; a signed-in browser's cookie alone cannot change anything (cross-site request guard).
import { env, main, step, fail } from './lib.mjs';

const url = env('AGOR_URL');

await main(async (browser) => {
  const anonymous = await browser.newContext();
  const page = await anonymous.newPage();

  await step('anonymous API call is 401', async () => {
    await page.goto(url + '/');
    const status = await page.evaluate(async () => (await fetch('/sessions')).status);
    if (status !== 401) { fail(`expected 401, got ${status}`); }
    await page.getByRole('heading', { name: 'Not signed in' }).waitFor();
  });

  await step('a used link does not sign in', async () => {
    const response = await page.goto(env('AGOR_USED_LOGIN_URL'));
    if (response.status() !== 401) { fail(`expected 401, got ${response.status()}`); }
    const cookies = await anonymous.cookies();
    if (cookies.length !== 0) { fail(`expected no cookie, got ${JSON.stringify(cookies)}`); }
    const status = await page.evaluate(async () => (await fetch('/sessions')).status);
    if (status !== 401) { fail(`expected 401 after the used link, got ${status}`); }
  });

  await step('the used link page looks like the rest', async () => {
    await page.goto(env('AGOR_USED_LOGIN_URL'));
    await page.getByRole('heading', { name: 'This sign-in link is not valid' }).waitFor();
    await page.getByText('agor open').waitFor();
    const styled = await page.evaluate(() => getComputedStyle(document.querySelector('header.top')).borderBottomStyle);
    if (styled !== 'solid') { fail(`the page's stylesheet is not applied (header border ${styled})`); }
  });

  await step('the sign-in hint shows on a phone', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const small = await phone.newPage();
    await small.goto(url + '/');
    const heading = small.getByRole('heading', { name: 'Not signed in' });
    await heading.waitFor({ state: 'visible' });
    await small.getByText('agor open').waitFor({ state: 'visible' });
    const box = await heading.boundingBox();
    if (!box || box.y > 844) { fail(`the hint is off screen: ${JSON.stringify(box)}`); }
    await phone.close();
  });

  const signedIn = await browser.newContext();
  const page2 = await signedIn.newPage();
  await step('a fresh link signs in', async () => {
    await page2.goto(env('AGOR_LOGIN_URL'));
    await page2.getByRole('button', { name: 'New session' }).waitFor();
    if (new URL(page2.url()).pathname !== '/') { fail(`not redirected to /: ${page2.url()}`); }
    const cookie = (await signedIn.cookies()).find((c) => c.name === 'agor_session');
    if (!cookie || !cookie.httpOnly || cookie.sameSite !== 'Strict') { fail(`bad cookie ${JSON.stringify(cookie)}`); }
  });

  await step('cross-site write refused', async () => {
    // The context's request client sends the cookie but neither X-Agor-Request nor Origin.
    const response = await signedIn.request.post(url + '/sessions', { data: { cwd: '/tmp' } });
    if (response.status() !== 403) { fail(`expected 403, got ${response.status()}`); }
    const foreign = await signedIn.request.post(url + '/sessions', { data: { cwd: '/tmp' }, headers: { Origin: 'https://evil.example' } });
    if (foreign.status() !== 403) { fail(`expected 403 for a foreign origin, got ${foreign.status()}`); }
  });
});
