#!/usr/bin/env node
// The side panel in headless Chromium: the named cases of test/webview/ (TypeScript, transpiled to
// out/test/webview/ by `npm run build`). This file only starts them, so `node scripts/webview-test.mjs`
// (what scripts/test.mjs runs) keeps working. Builds nothing: run `npm run build` first.
// Prints `webview: N passed, N failed`; exits non-zero on any failure.
//   node scripts/webview-test.mjs [--headed] [--keep-open]
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'out/test/webview/main.js');
if (!existsSync(entry)) {
  console.error(`[webview-test] missing ${entry}; run \`npm run build\` first`);
  console.log('webview: 0 passed, 1 failed');
  process.exit(2);
}
const { main } = createRequire(import.meta.url)(entry);
const argv = process.argv.slice(2);
const code = await main(root, argv);
if (!argv.includes('--keep-open')) process.exit(code);
