// Versions recorded in every run's config, for reproducibility.
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
