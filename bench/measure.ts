import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Summary {
  median: number;
  min: number;
  max: number;
  count: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new Error('no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], count: sorted.length };
}

/** The p-th percentile (0 < p < 100) of ascending values, nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Samples of the floor and of the project, taken in turns. */
export interface Paired<T> {
  floor: T[];
  project: T[];
}

/**
 * Runs floor and project `rounds` times each, in turns, flipping who goes first every round
 * (F P, P F, F P, …), so a noisy neighbour on the shared machine and any warm-up hit both alike.
 */
export async function alternate<T>(rounds: number, floor: () => Promise<T>, project: () => Promise<T>): Promise<Paired<T>> {
  const samples: Paired<T> = { floor: [], project: [] };
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      samples.floor.push(await floor());
      samples.project.push(await project());
    } else {
      samples.project.push(await project());
      samples.floor.push(await floor());
    }
  }
  return samples;
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
  const began = performance.now();
  await work();
  return performance.now() - began;
}

/** Samples per single-shot figure (cold starts, audit reads): BENCH_SAMPLES, at least 3. */
export const SAMPLES = Math.max(3, Number(process.env.BENCH_SAMPLES ?? 3));

/** The machine's 1-minute load average (Linux), which the whole shared machine contributes to. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** Resident memory of a process in MB (Linux). */
export function rssMb(pid: number): number {
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(rss?.[1] ?? 0) / 1024);
}

/** Milliseconds, rounded to what a table shows. */
export function ms(value: number): number {
  return value >= 100 ? Math.round(value) : Number(value.toFixed(3));
}

/** The pid of this process's child running `app` (dist/apps/<app>/); undefined when none runs. */
export function appPid(app: string): number | undefined {
  let children: string[];
  try {
    children = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n');
  } catch {
    return undefined;
  }
  const pid = children.find((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').includes(`apps/${app}/`));
  return pid === undefined ? undefined : Number(pid);
}

/** Resident memory of this process's child running `app`, in MB; undefined when none runs. */
export function appRssMb(app: string): number | undefined {
  const pid = appPid(app);
  return pid === undefined ? undefined : rssMb(pid);
}

/**
 * CPU time (user + system) the processes have used so far, in ms (Linux, 10 ms ticks). On a shared
 * machine a process's throughput is its share of the cores; its CPU time per request is not.
 */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    // The fields after the command name (which may hold spaces), from the state on: utime is the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

/**
 * The environment of an app a scenario starts: with BENCH_PROFILE_DIR set, the app profiles its
 * CPU (bench/profile-preload.ts) and writes <dir>/<app>/<pid>.cpuprofile when it stops;
 * bench/cpu-profile.ts reads it.
 */
export function profiled(app: string, env: Record<string, string>): Record<string, string> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return env;
  const preload = join(__dirname, 'profile-preload.js');
  return { ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim(), BENCH_PROFILE_OUT: join(dir, app) };
}
