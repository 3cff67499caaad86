// The per-method grid search (`salun grid`): θo and Retrain for one seed (both from the model cache
// when the table or an earlier grid trained them), then the method at every grid point from the
// same θo, each scored by its Avg. Gap to that Retrain. grid.md / grid.json / points.jsonl in the
// out dir; points.jsonl keeps the finished points when the search is cancelled.
import { join } from 'node:path';
import { applyPoint, gridPoints, pointLabel, type GridConfig, type GridPointResult, type GridResult } from '../../../protocol/grid';
import { DEFAULT_RATIO } from '../../../protocol/defaults';
import { defaultUnlearnRecipe } from '../../../protocol/methods';
import { METRIC_NAMES } from '../../../protocol/results';
import { markdownTable } from '../../../protocol/tableText';
import { avgGap } from '../../metrics/report';
import { classifierOf } from '../../models/io';
import { appendLine, writeFileAtomic, writeJsonAtomic } from '../../../store/runs/atomic';
import { newStudyDir } from '../../../store/runs/runFolder';
import { evaluateModel } from './evaluateModel';
import { applyMethod, retrainReference } from './methodStep';
import { prepare } from './prepare';
import type { JobContext } from '../shared/jobContext';
import { scenarioLabel, startStudy, studyPrepareConfig } from './tableJob';

/** <workspace>/.salun/grids/<stamp>-<method>-<scenario>-<model>/, never an existing folder. */
export function defaultGridDir(workspaceDir: string, config: GridConfig, now = new Date()): string {
  const s = config.scenario;
  const label = `${config.method}-${s.kind === 'random' ? `random${Math.round(s.fraction * 100)}` : `class${s.classIndex}`}-${config.model.architecture}`;
  return newStudyDir(workspaceDir, 'grids', label, now);
}

/** `config` as dispatch passes it: through parseGridConfig (protocol/configKinds.ts). */
export async function runGridJob(config: GridConfig, ctx: JobContext, outDir: string): Promise<GridResult> {
  const { t0, date, backend } = await startStudy('grid', config, ctx, outDir);
  const seed = config.seed;
  const p = await prepare(studyPrepareConfig(config, seed), ctx, backend);
  const points = gridPoints(config.axes);
  const results: GridPointResult[] = [];
  try {
    const r = await retrainReference({ model: config.model, train: config.train, seed }, p, ctx);
    let retrain;
    try {
      ctx.emit({ type: 'phase', phase: 'evaluate', label: 'Evaluating Retrain' });
      retrain = await evaluateModel(classifierOf(r.model), p, ctx.signal, ctx.emit, 'retrain');
    } finally {
      r.model.dispose();
    }
    ctx.emit({ type: 'evaluated', row: { role: 'retrain', method: 'retrain', metrics: retrain, seconds: r.seconds } });
    ctx.emit({ type: 'phase', phase: 'evaluate', label: 'Evaluating Original' });
    const original = await evaluateModel(p.original, p, ctx.signal, ctx.emit, 'original');

    for (const [i, point] of points.entries()) {
      const label = pointLabel(point);
      const at = applyPoint(point, defaultUnlearnRecipe(config.method), DEFAULT_RATIO);
      const tag = `[point ${i + 1}/${points.length}: ${label}]`;
      const pctx: JobContext = { ...ctx, emit: (e) => ctx.emit(e.type === 'phase' ? { ...e, label: `${tag} ${e.label}` } : e) };
      const spec = { method: config.method, masked: config.masked, methodOptions: at.options, saliency: { ratio: at.ratio }, unlearn: at.recipe, seed };
      const out = await applyMethod(p, spec, pctx, { path: (...parts: string[]): string => join(outDir, `point-${i + 1}`, ...parts) });
      let metrics;
      try {
        pctx.emit({ type: 'phase', phase: 'evaluate', label: `Evaluating ${config.method}` });
        metrics = await evaluateModel(out.theta, p, ctx.signal, ctx.emit, `${config.method}, ${label}`);
      } finally {
        out.theta.model.dispose();
      }
      const res: GridPointResult = { point, label, metrics, avgGap: avgGap(metrics, retrain), seconds: out.seconds };
      results.push(res);
      appendLine(join(outDir, 'points.jsonl'), JSON.stringify(res));
      ctx.emit({ type: 'evaluated', row: { role: 'unlearned', method: `${config.method} (${label})`, metrics, avgGap: res.avgGap, seconds: out.seconds } });
    }
    const best = results.reduce((b, x, i) => (x.avgGap < results[b].avgGap ? i : b), 0);
    const result: GridResult = { config, retrain, original, points: results, best, backend, date, wallSeconds: (Date.now() - t0) / 1000, outDir };
    writeJsonAtomic(join(outDir, 'grid.json'), result);
    writeFileAtomic(join(outDir, 'grid.md'), gridMarkdown(result));
    return result;
  } finally {
    p.original.model.dispose();
  }
}

const f2 = (x: number): string => x.toFixed(2);

/** The grid as table cells: header, Retrain, Original, then the points sorted by Avg. Gap (best first). */
export function gridCells(g: GridResult): string[][] {
  const m = (x: GridResult['retrain']): string[] => METRIC_NAMES.map((k) => f2(x[k]));
  const order = g.points.map((_, i) => i).sort((a, b) => g.points[a].avgGap - g.points[b].avgGap);
  return [
    ['Point', ...METRIC_NAMES, 'Avg. Gap', 'Time (s)'],
    ['Retrain', ...m(g.retrain), '0.00', ''],
    ['Original', ...m(g.original), f2(avgGap(g.original, g.retrain)), ''],
    ...order.map((i) => [`${i === g.best ? '★ ' : ''}${g.points[i].label}`, ...m(g.points[i].metrics), f2(g.points[i].avgGap), g.points[i].seconds.toFixed(1)]),
  ];
}

export function gridHeader(g: GridResult): string[] {
  const c = g.config;
  const best = g.points[g.best];
  return [
    `- Method: ${c.method}${c.masked ? ' (masked)' : ''}; scenario: ${scenarioLabel(c)}; seed ${c.seed}; model ${c.model.architecture.toUpperCase()}${c.trainSubset ? `; training subset ${c.trainSubset}` : ''}`,
    `- Axes: ${c.axes.map((a) => `${a.param} ∈ {${a.values.join(', ')}}`).join(' × ')}; other settings: the method's defaults`,
    `- Best (smallest Avg. Gap to Retrain): ${best ? `${best.label} → ${f2(best.avgGap)}` : 'none'}`,
    `- Backend: ${g.backend.name} (${g.backend.detail}); ${g.date}; wall time ${g.wallSeconds.toFixed(1)} s`,
    '- One seed: differences below the Retrain-vs-Retrain noise floor (see `salun table`) are not meaningful.',
  ];
}

function gridMarkdown(g: GridResult): string {
  return [`# SalUn Lab grid search: ${g.config.method}, ${scenarioLabel(g.config)}`, '', ...gridHeader(g), '', markdownTable(gridCells(g)), ''].join('\n');
}
