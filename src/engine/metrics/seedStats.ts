// Statistics over seeds for the comparison table: mean ± std per metric, gaps against the mean of
// the Retrain seeds, the Retrain-vs-Retrain noise floor, and ranks that only separate methods whose
// Avg. Gap differs by more than that floor.
import { METRIC_NAMES, perMetric, type EvaluatedModel, type Metrics } from '../../protocol/results';
import { formatStat, meanStd, type NoiseFloor, type SeedStat, type TableRow } from '../../protocol/table';
import { methodDisplayName } from '../../protocol/comparisonFormat';
import { avgGap } from './report';

export function meanMetrics(ms: Metrics[]): Metrics {
  return perMetric((k) => meanStd(ms.map((m) => m[k])).mean);
}

/** The Avg. Gap between the Retrain runs of every pair of seeds, and its mean. */
export function noiseFloor(retrains: { seed: number; metrics: Metrics }[]): NoiseFloor {
  const pairs: NoiseFloor['pairs'] = [];
  for (let i = 0; i < retrains.length; i++) {
    for (let j = i + 1; j < retrains.length; j++) {
      pairs.push({ seeds: [retrains[i].seed, retrains[j].seed], gap: avgGap(retrains[i].metrics, retrains[j].metrics) });
    }
  }
  return { value: pairs.length ? meanStd(pairs.map((p) => p.gap)).mean : undefined, pairs };
}

export function methodLabel(role: EvaluatedModel['role'], method: string): string {
  return methodDisplayName(role === 'unlearned' ? method : role);
}

/**
 * Rank groups over ascending mean Avg. Gap: the best method opens a group, every method within
 * `floor` of that group's best joins it and shares its rank; the first one beyond opens the next
 * group (rank = its position, as in "1, 1, 3"). Returns ranks by key.
 */
export function rankWithinFloor(gaps: { key: string; gap: number }[], floor: number): Map<string, number> {
  const sorted = [...gaps].filter((g) => Number.isFinite(g.gap)).sort((a, b) => a.gap - b.gap);
  const ranks = new Map<string, number>();
  let leader = Number.NaN;
  let rank = 0;
  sorted.forEach((g, i) => {
    if (i === 0 || g.gap - leader > floor) {
      leader = g.gap;
      rank = i + 1;
    }
    ranks.set(g.key, rank);
  });
  return ranks;
}

export interface SeedRows {
  seed: number;
  /** Retrain, Original and the methods of one seed, without gaps. */
  rows: EvaluatedModel[];
}

export interface Aggregated {
  rows: TableRow[];
  retrainMean: Metrics;
  noiseFloor: NoiseFloor;
  /** The per-seed rows with avgGap against the mean of the Retrain seeds. */
  perSeed: SeedRows[];
}

const key = (r: EvaluatedModel): string => `${r.role}:${r.method}`;

/** Aggregates per-seed rows into the table: Retrain first, Original, then the methods in first-seen order. */
export function aggregateSeeds(runs: SeedRows[]): Aggregated {
  const retrains = runs.flatMap((s) => s.rows.filter((r) => r.role === 'retrain').map((r) => ({ seed: s.seed, metrics: r.metrics })));
  if (!retrains.length) throw new Error('the table needs a Retrain row in at least one seed');
  const retrainMean = meanMetrics(retrains.map((r) => r.metrics));
  const perSeed = runs.map((s) => ({ seed: s.seed, rows: s.rows.map((r) => ({ ...r, avgGap: avgGap(r.metrics, retrainMean) })) }));

  const order = new Map<string, EvaluatedModel>();
  const rolesFirst = [...perSeed.flatMap((s) => s.rows)].sort((a, b) => roleOrder(a.role) - roleOrder(b.role));
  for (const r of rolesFirst) if (!order.has(key(r))) order.set(key(r), r);

  const floor = noiseFloor(retrains);
  const rows: TableRow[] = [...order.values()].map((first) => {
    const all = perSeed.flatMap((s) => s.rows.filter((r) => key(r) === key(first)));
    const stat = (f: (r: EvaluatedModel) => number): SeedStat => meanStd(all.map(f));
    return {
      label: methodLabel(first.role, first.method),
      role: first.role,
      method: first.method,
      ...perMetric((k) => stat((r) => r.metrics[k])),
      avgGap: stat((r) => r.avgGap ?? Number.NaN),
      seconds: stat((r) => r.seconds),
    };
  });
  if (floor.value !== undefined) {
    const ranks = rankWithinFloor(
      rows.filter((r) => r.role === 'unlearned').map((r) => ({ key: r.method, gap: r.avgGap.mean })),
      floor.value,
    );
    for (const r of rows) if (r.role === 'unlearned' && ranks.has(r.method)) r.rank = ranks.get(r.method);
  }
  return { rows, retrainMean, noiseFloor: floor, perSeed };
}

function roleOrder(role: EvaluatedModel['role']): number {
  return role === 'retrain' ? 0 : role === 'original' ? 1 : 2;
}

/** The table's cells (protocol/tableText.ts renders them): a Rank column only when methods were ranked. */
export function seedTableCells(rows: TableRow[]): string[][] {
  const ranked = rows.some((r) => r.rank !== undefined);
  return [
    ['Method', ...METRIC_NAMES, 'Avg. Gap', 'RTE (s)', ...(ranked ? ['Rank'] : [])],
    ...rows.map((r) => [
      r.label,
      ...METRIC_NAMES.map((m) => formatStat(r[m])),
      formatStat(r.avgGap),
      formatStat(r.seconds, 1),
      ...(ranked ? [r.rank !== undefined ? String(r.rank) : '—'] : []),
    ]),
  ];
}
