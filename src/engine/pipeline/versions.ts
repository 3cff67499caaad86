// Versions recorded in every run's config, for reproducibility.
import { tf } from '../tf';

declare const SALUN_VERSION: string | undefined;

export function versions(): Record<string, string> {
  return {
    salunLab: typeof SALUN_VERSION === 'string' ? SALUN_VERSION : 'dev',
    tfjs: tf.version_core,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
