// Entry of the extension-host integration suite. VS Code (or code-server) loads the compiled
// out/test/host/index.js as `extensionTestsPath` and calls run() inside the real extension host.
// scripts/host-test.mjs starts it; see that file for how it runs offline.
//
// Every compiled `*.vscode.test.js` next to this file is added. Mocha output goes to the console
// (forwarded to the runner), and the counts are reported twice so the runner never has to guess:
// as a marker line `SALUN_HOST_RESULT {json}` on the console and, when SALUN_HOST_TEST_RESULT
// names a file, as that JSON file.
//
// When SALUN_HOST_TEST_E2E_GATE names a file, run() does not return right after mocha: it logs
// `SALUN_HOST_E2E_WAIT` and waits until that file exists (at most SALUN_HOST_TEST_E2E_GATE_TIMEOUT_MS,
// default 10 min). Returning ends the extension host, and the runner's end-to-end check of the panel
// in the workbench (test/workbench/) needs it alive to answer the webview.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha from 'mocha';

export interface HostSuiteResult {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  failures: { title: string; error: string }[];
}

export const RESULT_MARKER = 'SALUN_HOST_RESULT';
export const E2E_WAIT_MARKER = 'SALUN_HOST_E2E_WAIT';

/**
 * Under code-server the extension host's console reaches the runner only through the browser
 * console, mixed with the workbench's own logging (and VS Code's console forwarding cannot be
 * wrapped: its console methods ignore assignment). So the suite prints through log(), which formats
 * printf patterns and, when the runner sets SALUN_HOST_TEST_CONSOLE_TAG, prefixes that tag so the
 * runner can pick the suite's lines out. Tests should use it for anything worth seeing in the output.
 */
export function log(...args: unknown[]): void {
  const tag = process.env.SALUN_HOST_TEST_CONSOLE_TAG;
  const text = util.format(...args);
  console.log(tag ? `${tag} ${text}` : text);
}

export function run(): Promise<void> {
  // Mocha's reporters print through Base.consoleLog with printf patterns.
  Mocha.reporters.Base.consoleLog = log;
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    // Each test sets its own timeout; this is only the default for quick checks.
    timeout: 60_000,
    grep: process.env.SALUN_HOST_TEST_GREP || undefined,
  });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.vscode.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  return new Promise<void>((resolve, reject) => {
    const failures: HostSuiteResult['failures'] = [];
    const started = Date.now();
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failed) => {
        const stats = runner.stats;
        const result: HostSuiteResult = {
          passed: stats?.passes ?? 0,
          failed: Math.max(failed, stats?.failures ?? 0),
          pending: stats?.pending ?? 0,
          durationMs: Date.now() - started,
          failures,
        };
        if (files.length === 0) {
          result.failed += 1;
          result.failures.push({ title: 'host suite', error: `no *.vscode.test.js files in ${__dirname}` });
        }
        report(result);
        void waitForE2eGate().then(() => {
          if (result.failed > 0) reject(new Error(`${result.failed} host test(s) failed`));
          else resolve();
        });
      });
      runner.on('fail', (test, err: unknown) => {
        const e = err as { stack?: string; message?: string } | undefined;
        failures.push({ title: test.fullTitle(), error: String(e?.stack ?? e?.message ?? err) });
      });
    } catch (err) {
      report({
        passed: 0,
        failed: 1,
        pending: 0,
        durationMs: Date.now() - started,
        failures: [{ title: 'host suite', error: String((err as Error)?.stack ?? err) }],
      });
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** Keeps the extension host alive while the runner drives the workbench (see the header). */
async function waitForE2eGate(): Promise<void> {
  const gate = process.env.SALUN_HOST_TEST_E2E_GATE;
  if (!gate) return;
  const timeoutMs = Number(process.env.SALUN_HOST_TEST_E2E_GATE_TIMEOUT_MS) || 10 * 60_000;
  log(`${E2E_WAIT_MARKER} ${JSON.stringify({ gate })}`);
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(gate)) {
    if (Date.now() > deadline) {
      log(`the runner did not open ${gate} within ${timeoutMs} ms; ending the suite`);
      return;
    }
    await new Promise<void>((r) => setTimeout(r, 200));
  }
}

function report(result: HostSuiteResult): void {
  log(`${RESULT_MARKER} ${JSON.stringify({ passed: result.passed, failed: result.failed, pending: result.pending, durationMs: result.durationMs })}`);
  const file = process.env.SALUN_HOST_TEST_RESULT;
  if (file) {
    try {
      fs.writeFileSync(file, JSON.stringify(result, null, 2));
    } catch (err) {
      log(`could not write ${file}: ${String(err)}`);
    }
  }
}
