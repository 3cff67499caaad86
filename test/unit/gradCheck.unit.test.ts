// The op-by-op gradient checks (test/support/gradientChecks.ts) on the wasm backend and its kernels.
import { describeGradientChecks } from '../support/gradientChecks';

describeGradientChecks('wasm');
