// The smallest generation job that exercises every step: 14×14 images (2× pooling), a two-level
// U-Net of 8 channels, a few iterations of everything, the cpu backend.
import { defaultGenerationConfig, type GenerationConfig } from '../../src/protocol/generationConfig';

export function tinyGenerationConfig(dataDir: string, over: Partial<GenerationConfig> = {}): GenerationConfig {
  const d = defaultGenerationConfig();
  return {
    ...d,
    name: 'tiny-generation',
    data: { kind: 'idx', dir: dataDir },
    downsample: 2,
    forgetClass: 7,
    methods: ['salun', 'esd'],
    unet: { widths: [8, 8], groups: 4, embedDim: 16 },
    train: { iterations: 3, batchSize: 16, lr: 1e-3 },
    unlearn: { ...d.unlearn, iterations: 2, batchSize: 8 },
    sampling: { ddimSteps: 2, guidance: 1, samplesPerClass: 2, gridColumns: 2, every: 1 },
    classifier: { architecture: 'mlp', train: { epochs: 1, lr: 0.05, schedule: 'constant', momentum: 0.9, weightDecay: 0, batchSize: 64 } },
    backend: 'cpu',
    ...over,
  };
}
