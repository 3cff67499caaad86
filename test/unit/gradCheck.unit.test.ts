// The op-by-op gradient checks (test/gradientChecks.ts) on the wasm backend and its kernels.
import { describeGradientChecks } from '../gradientChecks';

describeGradientChecks('wasm');
