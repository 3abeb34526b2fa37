import { ensureBrowser } from './browser.js';

try {
  console.log(`browser tests: ${ensureBrowser()}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
