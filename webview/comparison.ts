// The comparison table's rows: one definition in src/protocol/comparisonFormat.ts, shared with the
// host's Compare Runs command so the panel and the files it writes cannot disagree.
export { comparisonRows, methodDisplayName, type ComparisonRow } from '../src/protocol/comparisonFormat';
