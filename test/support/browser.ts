import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where a system Chrome or Chromium usually lives, after `CHROME_PATH`; browser downloads are not possible here. */
export const BROWSER_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The browser the tests drive: `CHROME_PATH` when set (and present), else the first usual path that exists. */
export function findBrowser(
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  const fromEnv = env.CHROME_PATH;
  if (fromEnv) return exists(fromEnv) ? fromEnv : undefined;
  return BROWSER_CANDIDATES.find((path) => exists(path));
}

/** Whether this machine can install Debian's chromium itself: root, apt-get, and a Debian or Ubuntu os-release. */
export function canAptInstall(osRelease: string, uid: number, hasApt: boolean): boolean {
  if (uid !== 0 || !hasApt) return false;
  const ids = /^(?:ID|ID_LIKE)=(.*)$/gm;
  for (const match of osRelease.matchAll(ids)) {
    if (/debian|ubuntu/.test(match[1] ?? '')) return true;
  }
  return false;
}

/** What to tell someone whose machine has no browser and cannot install one. */
export const INSTALL_HINT =
  "No Chrome or Chromium found for the browser tests. Install Debian's or Ubuntu's `chromium` " +
  '(sudo apt-get install -y chromium), or set CHROME_PATH to a Chrome or Chromium executable.';

/** Finds the browser, installing Debian's `chromium` with apt when running as root on Debian or Ubuntu; throws with {@link INSTALL_HINT} otherwise. */
export function ensureBrowser(log: (line: string) => void = console.log): string {
  const found = findBrowser();
  if (found) return found;
  if (process.env.CHROME_PATH)
    throw new Error(`CHROME_PATH=${process.env.CHROME_PATH} does not exist. ${INSTALL_HINT}`);
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  if (!canAptInstall(osRelease, uid, existsSync('/usr/bin/apt-get'))) throw new Error(INSTALL_HINT);
  log("browser tests: installing Debian's chromium with apt-get (once per machine)");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env,
  });
  const installed = findBrowser();
  if (!installed) throw new Error(`apt-get installed chromium but no executable was found. ${INSTALL_HINT}`);
  return installed;
}

/** Flags for headless Chromium on a closed network: no background connections, no sandbox as root, no GPU. */
export const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches the system browser headless through playwright-core, for one test file. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findBrowser();
  if (!executablePath) throw new Error(INSTALL_HINT);
  return chromium.launch({ executablePath, headless: true, args: BROWSER_ARGS });
}
