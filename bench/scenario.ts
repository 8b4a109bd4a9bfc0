/** One line of the benchmark table and of bench/results/latest.json. */
export interface ScenarioFigures {
  name: string;
  /** The project's figure. */
  value: number;
  unit: string;
  /** The same measure of the floor (a bare baseline), taken in the same run. */
  floor: number;
  /** value / floor. */
  ratio: number;
  /** The DESIGN.md target for the ratio, e.g. ">= 0.8" or "<= 1.5". */
  target: string;
}

/** The figures, plus others worth reporting (p99Ms, rssMb, …). */
export type ScenarioResult = ScenarioFigures & Record<string, unknown>;

export interface Scenario {
  name: string;
  description: string;
  run(): Promise<ScenarioResult[]>;
}

export function result(fields: Omit<ScenarioFigures, 'ratio'> & Record<string, unknown>): ScenarioResult {
  return { ...fields, ratio: Number((fields.value / fields.floor).toFixed(3)) };
}

/** Whether a ratio meets its target string. */
export function meetsTarget(ratio: number, target: string): boolean {
  const match = /^(>=|<=)\s*([\d.]+)$/.exec(target.trim());
  if (!match) return true;
  return match[1] === '>=' ? ratio >= Number(match[2]) : ratio <= Number(match[2]);
}
