import { describe, expect, it } from 'vitest';
import { BROWSER_CANDIDATES, canAptInstall, findBrowser, launchBrowser } from '../support/browser.js';

describe('finding the browser', () => {
  it('prefers CHROME_PATH, and reports nothing when it does not exist', () => {
    const everything = () => true;
    expect(findBrowser({ CHROME_PATH: '/opt/chrome/chrome' }, everything)).toBe('/opt/chrome/chrome');
    expect(findBrowser({ CHROME_PATH: '/nowhere' }, (p) => p !== '/nowhere')).toBeUndefined();
  });

  it('falls back to the usual paths in order', () => {
    const onlyChrome = (p: string) => p === '/usr/bin/google-chrome';
    expect(findBrowser({}, onlyChrome)).toBe('/usr/bin/google-chrome');
    expect(findBrowser({}, () => false)).toBeUndefined();
    expect(BROWSER_CANDIDATES[0]).toBe('/usr/bin/chromium');
  });

  it('installs with apt only as root on Debian or Ubuntu', () => {
    expect(canAptInstall('ID=debian\nVERSION_ID="12"', 0, true)).toBe(true);
    expect(canAptInstall('ID=linuxmint\nID_LIKE="ubuntu debian"', 0, true)).toBe(true);
    expect(canAptInstall('ID=debian', 1000, true)).toBe(false);
    expect(canAptInstall('ID=fedora', 0, true)).toBe(false);
    expect(canAptInstall('ID=debian', 0, false)).toBe(false);
  });
});

describe('the system browser', () => {
  it('renders a page and answers a click, through playwright-core', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent('<button onclick="this.textContent = String(1 + 1)">add</button>');
      await page.getByRole('button').click();
      expect(await page.getByRole('button').textContent()).toBe('2');
    } finally {
      await browser.close();
    }
  });
});
