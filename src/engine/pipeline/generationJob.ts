// A generation unlearning job (issue 14): placeholder until the job lands.
import type { GenerationConfig } from '../../protocol/generationConfig';
import type { RunResult } from '../../protocol/results';
import { UserError } from '../../store/errors';
import type { JobContext } from './prepare';

export function runGenerationJob(_config: GenerationConfig, _ctx: JobContext): Promise<RunResult> {
  return Promise.reject(new UserError('Generation jobs are not wired yet.'));
}
