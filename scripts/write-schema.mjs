// Writes schemas/salun-config.schema.json from the run config's schema (src/protocol/
// configFileSchema.ts, the one definition): the editor checks `*.salun.json` files with it
// (package.json's jsonValidation). Called by build.mjs; a unit test fails when the file on disk
// differs from what this writes. The file is rewritten only when its text changes.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function writeConfigSchema() {
  const built = await esbuild.build({
    entryPoints: [join(root, 'src/protocol/configFileSchema.ts')],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    logLevel: 'warning',
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', built.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
  const { CONFIG_FILE_SCHEMA_PATH, configFileSchemaText } = module.exports;
  const file = join(root, CONFIG_FILE_SCHEMA_PATH);
  const text = configFileSchemaText();
  let old;
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    old = undefined;
  }
  if (old === text) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await writeConfigSchema();
