// The New Run summary's saliency check: a map already in a run folder of the same model, data and
// forget set, or a saliency job started from the summary. The job goes the way every job goes
// (startChecked: one job at a time, the status bar's progress, Cancel Job), and leaves its run
// folder, so the next flow finds the map without asking again.
import type { RunConfig } from '../../protocol/config';
import { readSaliency, SaliencyReadError } from '../../store/runs/readSaliency';
import { findSameSaliency } from '../../store/saliency/sameMap';
import { saliencyZeros } from '../../store/saliency/zeros';
import { startChecked, type CommandDeps } from '../jobs/commands';
import { saliencyPartOf } from '../jobs/jobConfigs';
import { runConfigFromAnswers, saliencyQuestionOf, type NewRunAnswers, type SaliencyFinding } from './newRunAnswers';
import type { SaliencyCheck } from './newRunFlow';

export function newRunSaliencyCheck(deps: CommandDeps, base: RunConfig, workspaceDir: string): SaliencyCheck {
  return {
    cached(a: NewRunAnswers): SaliencyFinding | undefined {
      const found = findSameSaliency(workspaceDir, saliencyQuestionOf(a, base));
      return found && { runId: found.runId, zeros: saliencyZeros(found.scores) };
    },
    async compute(a: NewRunAnswers): Promise<SaliencyFinding | undefined> {
      const config = saliencyPartOf(runConfigFromAnswers(a, base));
      const outcome = await startChecked(deps, { type: 'start', kind: 'saliency', config, workspaceDir });
      const started = outcome?.events.find((e) => e.type === 'started');
      if (outcome?.status !== 'finished' || started?.type !== 'started') return undefined;
      try {
        return { runId: started.runId, zeros: saliencyZeros(readSaliency(started.runDir).scores) };
      } catch (e) {
        if (e instanceof SaliencyReadError) {
          deps.log.warn(`New Unlearning Run: the saliency map just computed could not be read: ${e.message}`);
          return undefined;
        }
        throw e;
      }
    },
  };
}
