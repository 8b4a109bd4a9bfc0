import { summarize, type Summary } from './measure';

/** One line of the benchmark table, of bench/results/latest.json and of history.ndjson. */
export interface ScenarioFigures {
  name: string;
  /** The project's figure (the median of its samples when sampled). */
  value: number;
  unit: string;
  /** The same measure of the floor (a bare baseline doing the same work), taken in the same run; null for a budget. */
  floor: number | null;
  /** value / floor; null for a budget. */
  ratio: number | null;
  /**
   * What the row must meet: `>= 0.9` or `<= 1.5` on the ratio, `budget <= 10` on the value itself
   * (no floor: DESIGN.md gives a fixed budget), or `report` (shown, not judged).
   */
  target: string;
  /** How far the samples lie apart: (max − min) / median, for the value and the floor, and how many each. */
  spread?: { value: number; floor: number | null; samples: number };
}

/** The figures, plus others worth reporting (p99Ms, rssMb, …). */
export type ScenarioResult = ScenarioFigures & Record<string, unknown>;

export interface Scenario {
  name: string;
  description: string;
  /** The rows it reports, when more than the one named after it (`npm run bench -- <row>` runs it too). */
  rows?: string[];
  /** `wanted`: the names given to `npm run bench -- …`; a scenario may then run only those rows. */
  run(wanted?: string[]): Promise<ScenarioResult[]>;
}

type Extras = Record<string, unknown>;
type Figure = number | number[];

/**
 * A row measured against a floor. Given sample lists, the value and the floor are their medians,
 * the ratio is the ratio of the medians, and the spread is recorded.
 */
export function result(fields: { name: string; value: Figure; unit: string; floor: Figure; target: string } & Extras): ScenarioResult {
  const { name, value, unit, floor, target, ...extras } = fields;
  const ours = summaryOf(value);
  const theirs = summaryOf(floor);
  const sampled = Array.isArray(value) || Array.isArray(floor);
  return {
    name,
    value: round(ours.median),
    unit,
    floor: round(theirs.median),
    ratio: Number((ours.median / theirs.median).toFixed(3)),
    target,
    ...(sampled ? { spread: { value: share(ours), floor: share(theirs), samples: Math.min(ours.count, theirs.count) } } : {}),
    ...extras,
  };
}

/** A row judged against a fixed budget on its value (DESIGN.md names no floor for it). */
export function budget(fields: { name: string; value: Figure; unit: string; budget: string } & Extras): ScenarioResult {
  const { name, value, unit, budget: limit, ...extras } = fields;
  const ours = summaryOf(value);
  return {
    name,
    value: round(ours.median),
    unit,
    floor: null,
    ratio: null,
    target: `budget ${limit}`,
    ...(Array.isArray(value) ? { spread: { value: share(ours), floor: null, samples: ours.count } } : {}),
    ...extras,
  };
}

/** Whether a row meets its target: the ratio for `>=`/`<=`, the value for a budget; `report` always does. */
export function meetsTarget(row: Pick<ScenarioFigures, 'value' | 'ratio' | 'target'>): boolean {
  const match = /^(budget\s+)?(>=|<=)\s*([\d.]+)$/.exec(row.target.trim());
  if (!match) return true;
  const figure = match[1] ? row.value : row.ratio;
  if (figure === null) return false;
  return match[2] === '>=' ? figure >= Number(match[3]) : figure <= Number(match[3]);
}

function summaryOf(figure: Figure): Summary {
  return summarize(Array.isArray(figure) ? figure : [figure]);
}

function share(summary: Summary): number {
  return Number(((summary.max - summary.min) / summary.median).toFixed(3));
}

/** Three significant decimals below 100, whole numbers above. */
function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Number(value.toFixed(3));
}
