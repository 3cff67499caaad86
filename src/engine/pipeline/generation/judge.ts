// The judge of generated images: a built-in classifier trained on the job's (pooled) training
// images, cached like θo (trainedOrCached), and its accuracy on the real test images logged, since
// every UA and retained accuracy is only as good as it.
import { createHash } from 'node:crypto';
import type { GenerationConfig } from '../../../protocol/generationConfig';
import { allIndices, type SplitData } from '../../data/dataset';
import { predictPerSample } from '../../metrics/evaluate';
import { buildArchitecture } from '../../models/architectures';
import { trainedOrCached, type CachedModel } from '../shared/cachedModel';
import type { JobContext } from '../shared/jobContext';

export async function judgeClassifier(
  config: GenerationConfig,
  data: SplitData,
  dataKey: unknown,
  ctx: JobContext,
): Promise<CachedModel & { testAccuracy: number }> {
  const c = config.classifier;
  const key = createHash('sha256')
    .update(JSON.stringify({ what: 'generation-judge', v: 1, data: dataKey, arch: c.architecture, recipe: c.train, seed: config.seed }))
    .digest('hex')
    .slice(0, 16);
  const t = data.train;
  const judge = await trainedOrCached(
    ctx,
    key,
    // The judge is the evaluation's instrument: under 'evaluate' its training is told apart from θo's, which may follow (jobProgress.ts).
    'evaluate',
    `Judge classifier (${c.architecture})`,
    () => buildArchitecture(c.architecture, { height: t.height, width: t.width, channels: t.channels, numClasses: t.numClasses }, config.seed),
    data,
    allIndices(t.n),
    c.train,
    config.seed,
  );
  const { correct } = await predictPerSample(judge.clf, data.test, allIndices(data.test.n), ctx.signal);
  const testAccuracy = (100 * correct.reduce((s, v) => s + v, 0)) / Math.max(1, correct.length);
  ctx.emit({ type: 'log', level: 'info', message: `judge classifier (${c.architecture}): ${testAccuracy.toFixed(1)}% on the ${data.test.n} real test images` });
  return { ...judge, testAccuracy };
}
