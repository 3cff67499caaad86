// Mocha's settings for the plain-Node suites, read by every way they run: scripts/test.mjs,
// `npm run test:unit` (scripts/mocha-loop.mjs) and the debug configurations in .vscode/launch.json.
// The suites run the transpiled files in out/ (npm run build, or the loop's quick transpile).
// SALUN_SUITE picks the suite (unit when unset): its files and its default timeout; a test that
// needs longer sets its own. Files named on the command line replace the suite's files, where mocha
// would run them on top of the suite (it adds a config's spec to the command line's).
// The host suite is not here: test/host/index.ts configures the mocha inside VS Code.
'use strict';

const SUITES = {
  unit: { spec: 'out/test/unit/**/*.unit.test.js', timeout: 120_000 },
  integration: { spec: 'out/test/integration/**/*.integration.test.js', timeout: 120_000 },
  fault: { spec: 'out/test/fault/**/*.fault.test.js', timeout: 300_000 },
  peers: { spec: 'out/test/peers/**/*.peer.test.js', timeout: 600_000 },
  backends: { spec: 'out/test/backends/**/*.backend.test.js', timeout: 900_000 },
  cluster: { spec: 'out/test/cluster/**/*.cluster.test.js', timeout: 900_000 },
};

const name = process.env.SALUN_SUITE || 'unit';
const suite = SUITES[name];
if (!suite) throw new Error(`SALUN_SUITE=${name}: not a suite; one of ${Object.keys(SUITES).join(', ')}`);
const namesFiles = process.argv.slice(2).some((a) => /\.test\.js$/.test(a));

module.exports = {
  ui: 'bdd',
  reporter: 'spec',
  timeout: suite.timeout,
  spec: namesFiles ? [] : [suite.spec],
  sort: true,
};
