import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * Preloaded (`--require`) into an app by `profiled()` when BENCH_PROFILE_DIR is set: Node 20 does
 * not take --cpu-prof from NODE_OPTIONS, so the app profiles itself through the inspector and
 * writes <dir>/<pid>.cpuprofile when it exits (an in-process session answers synchronously).
 */
const dir = process.env.BENCH_PROFILE_OUT;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
