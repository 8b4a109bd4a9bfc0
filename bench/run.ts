import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@tessera/testing';
import { meetsTarget, type ScenarioResult } from './scenario';
import { SCENARIOS } from './scenarios';

/** `npm run bench` runs every scenario; `npm run bench -- <name> …` runs the named ones. */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const scenarios = wanted.length > 0 ? SCENARIOS.filter((scenario) => wanted.includes(scenario.name)) : SCENARIOS;
  if (scenarios.length === 0) throw new Error(`no scenario named ${wanted.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    console.error(`running ${scenario.name}: ${scenario.description}`);
    results.push(...(await scenario.run()));
  }
  printTable(results);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', 'latest.json'),
    JSON.stringify({ scenarios: results, ranAt: new Date().toISOString() }, null, 2) + '\n',
  );
}

function printTable(results: ScenarioResult[]): void {
  const rows = results.map((r) => [
    r.name,
    `${format(r.value)} ${r.unit}`,
    `${format(r.floor)} ${r.unit}`,
    r.ratio.toFixed(3),
    r.target,
    meetsTarget(r.ratio, r.target) ? 'ok' : 'MISSED',
  ]);
  const header = ['scenario', 'value', 'floor', 'ratio', 'target', ''];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
  for (const r of results) {
    const extras = Object.entries(r).filter(([key]) => !['name', 'value', 'unit', 'floor', 'ratio', 'target'].includes(key));
    if (extras.length > 0) console.log(`  ${r.name}: ${extras.map(([key, value]) => `${key}=${value}`).join(', ')}`);
  }
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
