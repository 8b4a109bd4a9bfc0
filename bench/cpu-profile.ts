import { readFileSync } from 'node:fs';

/**
 * Where a `.cpuprofile` (node --cpu-prof, e.g. from BENCH_PROFILE_DIR) spends its time, as text:
 * self time by package or part of the project, the hottest functions by self time, and the
 * inclusive time of the functions named with --focus, and who calls those named with --callers;
 * --from fn counts only the samples from the first with fn on its stack. Usage:
 *   node -r ./scripts/register-paths.js dist/bench/cpu-profile.js <file.cpuprofile> [--top N] [--focus fn,fn] [--callers fn,fn] [--depth N] [--from fn]
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The package (node_modules/<name>), the project's part (apps/<app>, libs/<lib>, bench), node itself, or V8's pseudo-frames. */
export function partOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1];
  const own = /\/dist\/((?:apps|libs)\/[^/]+|bench)\//.exec(url);
  if (own) return own[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

function summarize(path: string, top: number, focus: string[], callers: string[], depth: number, from?: string): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const onStack = (id: number, name: string) => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      if (byId.get(at)!.callFrame.functionName === name) return true;
    return false;
  };
  // With --from, only the samples from the first one with that function on its stack (e.g. the load after a start).
  const first = from === undefined ? 0 : profile.samples.findIndex((id) => onStack(id, from));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    if (index > first) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...self.values()].reduce((sum, us) => sum + us, 0);
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((sum, [, us]) => sum + us, 0);
  const busy = total - idle;

  const parts = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const stacks = new Map<string, number>();
  const frameName = (at: number) => {
    const frame = byId.get(at)!.callFrame;
    return `${frame.functionName || '(anonymous)'} ${partOf(frame.url, frame.functionName)}:${frame.lineNumber + 1}`;
  };
  for (const [id, us] of self) {
    if (callers.includes(byId.get(id)!.callFrame.functionName)) {
      const chain: string[] = [];
      for (let at = parent.get(id); at !== undefined && chain.length < depth; at = parent.get(at)) chain.push(frameName(at));
      const key = `${frameName(id)} ← ${chain.join(' ← ')}`;
      stacks.set(key, (stacks.get(key) ?? 0) + us);
    }
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const part = partOf(url, functionName);
    parts.set(part, (parts.get(part) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${part}:${lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    // Each focused function counts the sample once, however deep the recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame.functionName;
      if (focus.includes(frame) && !seen.has(frame)) {
        seen.add(frame);
        inclusive.set(frame, (inclusive.get(frame) ?? 0) + us);
      }
    }
  }
  const line = (label: string, us: number) =>
    `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${label}`;
  console.log(
    `${path}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(2)} s busy (shares below are of busy time)`,
  );
  console.log('\nself time by part:');
  for (const [part, us] of [...parts]
    .filter(([part]) => part !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(line(part, us));
  console.log('\nhottest functions (self):');
  for (const [name, us] of [...functions]
    .filter(([name]) => !name.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(line(name, us));
  if (callers.length > 0) {
    console.log('\ncallers (self time of the functions named, by the frames above them):');
    for (const [stack, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(line(stack, us));
  }
  if (focus.length > 0) {
    console.log('\ninclusive time:');
    for (const name of focus) console.log(line(name, inclusive.get(name) ?? 0));
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args.splice(at, 2)[1];
  };
  const top = Number(option('--top') ?? 25);
  const focus = (option('--focus') ?? '').split(',').filter(Boolean);
  const callers = (option('--callers') ?? '').split(',').filter(Boolean);
  const depth = Number(option('--depth') ?? 6);
  const from = option('--from');
  if (args.length === 0)
    throw new Error('usage: cpu-profile <file.cpuprofile>… [--top N] [--focus name,name] [--callers name,name] [--depth N] [--from fn]');
  for (const path of args) summarize(path, top, focus, callers, depth, from);
}

if (require.main === module) main();
