import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@tessera/testing';
import { loadAverage, summarize } from './measure';
import { meetsTarget, type Scenario, type ScenarioResult } from './scenario';
import { SCENARIOS } from './scenarios';

const RESULTS = join(ROOT, 'bench', 'results');
const HISTORY = join(RESULTS, 'history.ndjson');

/** One line of bench/results/history.ndjson: a row of one run, with where and how it ran. */
interface HistoryLine extends ScenarioResult {
  ranAt: string;
  commit: string;
  /** The sizes changed from their defaults (BENCH_* variables): rows compare only with runs of the same sizes. */
  sizes: Record<string, string>;
  /** The machine's 1-minute load average, sampled every 5 s while the scenario ran: mean and max. */
  machineLoad: { mean: number; max: number };
}

interface Failure {
  name: string;
  error: string;
}

/** `npm run bench` runs every scenario; `npm run bench -- <name> …` runs those named (a scenario or one of its rows). */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const scenarios = wanted.length > 0 ? SCENARIOS.filter((scenario) => namesOf(scenario).some((name) => wanted.includes(name))) : SCENARIOS;
  if (scenarios.length === 0) {
    throw new Error(`no scenario named ${wanted.join(', ')}; known: ${SCENARIOS.flatMap(namesOf).join(', ')}`);
  }
  const ranAt = new Date().toISOString();
  const commit = currentCommit();
  const sizes = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('BENCH_'))) as Record<string, string>;
  const history = readHistory();
  const lines: HistoryLine[] = [];
  const failures: Failure[] = [];
  for (const scenario of scenarios) {
    console.error(`running ${scenario.name}: ${scenario.description}`);
    const load: number[] = [loadAverage()];
    const sampler = setInterval(() => load.push(loadAverage()), 5_000);
    try {
      const rows = await scenario.run(wanted.length > 0 ? wanted : undefined);
      const machineLoad = { mean: Number(summarize(load).median.toFixed(2)), max: Math.max(...load) };
      lines.push(...rows.map((row) => ({ ...row, ranAt, commit, sizes, machineLoad })));
    } catch (error) {
      // A wrong answer fails its scenario; the others still run, and the run exits non-zero.
      console.error(`${scenario.name} FAILED:`, error);
      failures.push({
        name: scenario.name,
        error: String((error as Error)?.message ?? error)
          .split('\n')[0]
          .slice(0, 160),
      });
    } finally {
      clearInterval(sampler);
    }
  }
  printTable(lines, failures, history);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify({ ranAt, commit, sizes, scenarios: lines, failures }, null, 2) + '\n');
  if (lines.length > 0) appendFileSync(HISTORY, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  if (failures.length > 0) process.exitCode = 1;
}

function namesOf(scenario: Scenario): string[] {
  return [scenario.name, ...(scenario.rows ?? [])];
}

/** The commit benchmarked, marked `+changes` when the work tree differs from it (outside bench/results). */
function currentCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', '.', ':(exclude)bench/results').length > 0;
    return `${git('rev-parse', '--short=12', 'HEAD')}${changed ? '+changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

function readHistory(): HistoryLine[] {
  if (!existsSync(HISTORY)) return [];
  return readFileSync(HISTORY, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HistoryLine);
}

/** The last earlier run of the same row at the same sizes. */
function previousOf(line: HistoryLine, history: HistoryLine[]): HistoryLine | undefined {
  const sizes = JSON.stringify(line.sizes);
  for (let at = history.length - 1; at >= 0; at -= 1) {
    if (history[at].name === line.name && JSON.stringify(history[at].sizes) === sizes) return history[at];
  }
  return undefined;
}

/** The table as Markdown (the README's benchmark table is a copy of it), then each row's other figures. */
function printTable(lines: HistoryLine[], failures: Failure[], history: HistoryLine[]): void {
  const header = ['scenario', 'value', 'floor', 'ratio', 'target', 'change since last run', ''];
  const rows = lines.map((line) => [
    line.name,
    `${format(line.value)} ${line.unit}${spreadOf(line.spread?.value)}`,
    line.floor === null ? '(budget)' : `${format(line.floor)} ${line.unit}${spreadOf(line.spread?.floor ?? undefined)}`,
    line.ratio === null ? '' : line.ratio.toFixed(3),
    line.target,
    changeOf(line, previousOf(line, history)),
    line.target === 'report' ? '' : meetsTarget(line) ? 'ok' : 'MISSED',
  ]);
  rows.push(...failures.map((failure) => [failure.name, '', '', '', '', '', `FAILED: ${failure.error}`]));
  const widths = header.map((_, column) => Math.max(3, ...[header, ...rows].map((row) => row[column].length)));
  const print = (cells: string[]) => console.log(`| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`);
  print(header);
  print(widths.map((width) => '-'.repeat(width)));
  rows.forEach(print);
  console.log('');
  const shown = new Set(['name', 'value', 'unit', 'floor', 'ratio', 'target', 'spread', 'ranAt', 'commit', 'sizes', 'machineLoad']);
  for (const line of lines) {
    const extras = Object.entries(line).filter(([key]) => !shown.has(key));
    const load = `machine load ${line.machineLoad.mean} (max ${line.machineLoad.max})`;
    const samples = line.spread ? `${line.spread.samples} samples each` : '';
    console.log(`  ${line.name}: ${[samples, ...extras.map(([key, value]) => `${key}=${show(value)}`), load].filter(Boolean).join(', ')}`);
  }
  if (lines.length > 0) console.log(`  commit ${lines[0].commit}, sizes ${JSON.stringify(lines[0].sizes)}`);
}

function changeOf(line: HistoryLine, previous: HistoryLine | undefined): string {
  if (!previous) return 'first run';
  const [now, before] = line.ratio === null ? [line.value, previous.value] : [line.ratio, previous.ratio];
  if (before === null || before === undefined) return 'first run';
  const delta = now - before;
  const digits = line.ratio === null ? (Math.abs(delta) >= 100 ? 0 : 2) : 3;
  return `${delta >= 0 ? '+' : ''}${delta.toFixed(digits)} (was ${line.ratio === null ? format(before) : before.toFixed(3)})`;
}

function spreadOf(spread: number | undefined): string {
  return spread === undefined ? '' : ` ±${Math.round((spread * 100) / 2)}%`;
}

function show(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function format(value: number): string {
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

main().then(
  () => process.exit(),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
