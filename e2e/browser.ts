import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
/** Screenshots the browser tests keep (not committed; CI keeps them as artifacts). */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** Debian's chromium, found or installed by tools/dev/chromium.sh (or CHROMIUM_PATH). Without a browser the tests fail; they never skip. */
export function chromiumPath(): string {
  try {
    return execFileSync('bash', [join(ROOT, 'tools/dev/chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 10 * 60_000 }).trim();
  } catch (error) {
    throw new Error(
      `The browser tests need Chromium and tools/dev/chromium.sh could not find or install it (${(error as Error).message.split('\n')[0]}). ` +
        "Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH.",
    );
  }
}
