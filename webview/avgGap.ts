// Avg. Gap for the trend chart's per-epoch gap line; the final rows carry the job's own value.
export { avgGap } from '../src/protocol/results';
