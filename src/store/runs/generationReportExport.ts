// Export Run Report for a generation run: the report.md its job wrote (the generation table, what
// each figure means, the setup, the grids) rather than the classification report, which knows none
// of that. The job's links to its grids are relative to the run folder (samples/<stage>.png); in an
// exported copy elsewhere they are rewritten relative to where the copy goes, so its pictures still
// show. No tfjs: the store's side of the command.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** A report.md is a few kilobytes; anything far larger is not one the job wrote. */
const MAX_REPORT_BYTES = 1024 * 1024;

/** A Markdown link destination for `path` (angle brackets when it holds spaces or parentheses). */
function linkTarget(path: string): string {
  const p = path.split(sep).join('/');
  return /[\s()<>]/.test(p) ? `<${p.replace(/</g, '%3C').replace(/>/g, '%3E')}>` : p;
}

export interface GenerationReportExport {
  markdown?: string;
  /** Why there is none (report.md missing, too large, unreadable): the caller falls back and says so. */
  problem?: string;
}

/**
 * `runDir`'s report.md with every `](samples/…)` link pointing at the run folder's file from
 * `outFile`'s folder, and a last line saying where and when it was exported from.
 */
export function exportedGenerationReport(runDir: string, outFile: string, generatedAt: string): GenerationReportExport {
  const path = join(runDir, 'report.md');
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_REPORT_BYTES) return { problem: `${path}: ${size} bytes, more than a report of ${MAX_REPORT_BYTES} bytes` };
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { problem: `${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  const samples = relative(dirname(outFile), join(runDir, 'samples')) || '.';
  const markdown = text.replace(/\]\(samples\/([^)\s]+)\)/g, (_m, name: string) => `](${linkTarget(join(samples, name))})`);
  return { markdown: `${markdown.trimEnd()}\n\n_Exported ${generatedAt} from the run folder ${runDir}; the pictures are its samples/._\n` };
}
