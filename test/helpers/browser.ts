import { existsSync } from 'node:fs';

/**
 * Debian's Chromium, driven by playwright-core (no browser download). CHROMIUM_PATH overrides the search.
 * `.ci/run` installs it and sets REQUIRE_BROWSER=1, so CI fails rather than skips when it is missing.
 */
export function chromiumPath(env: Record<string, string | undefined> = process.env): string | undefined {
  const candidates = [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((p): p is string => Boolean(p) && existsSync(p as string));
  if (!found && env.REQUIRE_BROWSER === '1') {
    throw new Error('REQUIRE_BROWSER=1 but no Chromium found: apt-get install chromium, or set CHROMIUM_PATH');
  }
  if (!found) console.warn("The report page's browser test is skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH).");
  return found;
}

/** Headless, no sandbox (containers run as root), nothing fetched in the background. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'];
