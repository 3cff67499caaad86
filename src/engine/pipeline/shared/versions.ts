// Versions recorded in every run's config, for reproducibility.
import { cpus } from 'node:os';
import type { MachineInfo } from '../../../protocol/table';
import { tf } from '../../tf';

/** package.json's version, defined by scripts/build.mjs in every build (`+dev` after it outside a production build). */
declare const SALUN_VERSION: string;

export function versions(): Record<string, string> {
  return {
    salunLab: SALUN_VERSION,
    tfjs: tf.version_core,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The machine a job ran on: the versions above with the processor. */
export function machineInfo(): MachineInfo {
  const v = versions();
  const cpu = cpus();
  return { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, platform: v.platform, node: v.node, tfjs: v.tfjs, salunLab: v.salunLab };
}
