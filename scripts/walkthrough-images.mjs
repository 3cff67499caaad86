#!/usr/bin/env node
// Redraws the walkthrough's panel images (media/walkthrough/{mask,threshold,trends,compare}.png) and
// the README's media/screenshots/panel-dark.png from the recorded job, in the browser test's page
// (test/webview/walkthroughImages.ts, transpiled to out/ by `npm run build`). Rerun it after a change
// to the panel or to test/fixtures/panel-replay.json. Needs Chromium, like scripts/webview-test.mjs.
//   npm run build && node scripts/walkthrough-images.mjs
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'out/test/webview/walkthroughImages.js');
if (!existsSync(entry)) {
  console.error(`[walkthrough-images] missing ${entry}; run \`npm run build\` first`);
  process.exit(2);
}
const { writeWalkthroughImages } = createRequire(import.meta.url)(entry);
for (const file of await writeWalkthroughImages(root)) console.log(`wrote ${file}`);
