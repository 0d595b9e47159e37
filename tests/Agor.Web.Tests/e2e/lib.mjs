// Shared by the scenarios: a headless Chromium from the system (no browser download) and steps
// that print what held, so a failure names its step.
import { chromium } from 'playwright-core';

export const env = (name) => {
  const value = process.env[name];
  if (!value) { throw new Error(`${name} is not set`); }
  return value;
};

export async function launch() {
  return chromium.launch({ executablePath: process.env.AGOR_CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}

export async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
  } catch (error) {
    console.error(`FAILED: ${name}: ${error && error.stack ? error.stack : error}`);
    throw error;
  }
  console.log(`ok: ${name} (${Date.now() - started} ms)`);
}

export function fail(message) { throw new Error(message); }

export async function main(fn) {
  let browser;
  try {
    browser = await launch();
    await fn(browser);
    await browser.close();
    process.exit(0);
  } catch {
    if (browser) { await browser.close().catch(() => {}); }
    process.exit(1);
  }
}
