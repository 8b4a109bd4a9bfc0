#!/usr/bin/env node
// `npm start` runs all five apps; `npm start -- token` or `npm run start:token` runs one.
// Builds first when the sources changed (`--no-build` skips it), prefixes every log line with the
// app's name, and supervises: an app that exits on its own is started again after a back-off, with
// the reason logged. Only SIGINT (Ctrl-C) or SIGTERM stops everything: each app is asked to drain
// and close (SIGTERM), and killed if it has not exited within STOP_GRACE_MS.
const { spawn, spawnSync } = require('node:child_process');
/**
 * Node options of single apps, also read by the test harness and the benchmarks (docker-compose.yml
 * repeats them). The token app: a 1 MB young generation instead of V8's 16 MB, so the read buffers
 * of a catch-up over a long log are collected as it goes (60 MB less RSS over a million tokens,
 * which live in typed arrays outside the JS heap).
 */
const appNodeOptions = require('./app-node-options.json');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..');
const APPS = ['identity', 'token', 'policy', 'audit', 'gateway'];
/** The apps' exit code for a bad configuration: restarting cannot help, so everything stops. */
const CONFIG_ERROR = 78;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 15_000;
/** An app that ran this long before exiting starts again from the first back-off. */
const STABLE_AFTER_MS = 30_000;
const STOP_GRACE_MS = 20_000;

const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');
const requested = args.filter((arg) => arg !== '--no-build');
const apps = requested.length > 0 ? requested : APPS;
const unknown = apps.filter((app) => !APPS.includes(app));
if (unknown.length > 0) {
  console.error(`unknown app: ${unknown.join(', ')} (apps: ${APPS.join(', ')})`);
  process.exit(64);
}

if (!skipBuild) {
  // tsc is incremental: a build with nothing changed takes a few seconds.
  const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
  buildConsoleIfChanged();
}

/** The web console (apps/console) is rebuilt only when a source is newer than its build. */
function buildConsoleIfChanged() {
  const built = path.join(root, 'dist', 'console', 'index.html');
  const newest = (dir) =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .reduce(
        (latest, entry) =>
          Math.max(latest, entry.isDirectory() ? newest(path.join(dir, entry.name)) : fs.statSync(path.join(dir, entry.name)).mtimeMs),
        0,
      );
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest(path.join(root, 'apps', 'console'))) return;
  const vite = spawnSync(process.execPath, [require.resolve('vite/bin/vite.js'), 'build', 'apps/console', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (vite.status !== 0) process.exit(vite.status ?? 1);
}

const width = Math.max(...apps.map((app) => app.length));
/** app → { child, startedAt, backoffMs, restartTimer } */
const supervised = new Map();
let stopping = false;

function say(app, line, target = process.stderr) {
  target.write(`${app.padEnd(width)} | ${line}\n`);
}

function prefixed(stream, app, target) {
  readline.createInterface({ input: stream }).on('line', (line) => say(app, line, target));
}

function startApp(app) {
  const state = supervised.get(app) ?? { backoffMs: FIRST_BACKOFF_MS };
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', ...(appNodeOptions[app] ?? []), '-r', './scripts/register-paths.js', `dist/apps/${app}/src/main.js`],
    {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  Object.assign(state, { child, startedAt: Date.now(), restartTimer: undefined });
  supervised.set(app, state);
  say(app, `started (pid ${child.pid})`);
  prefixed(child.stdout, app, process.stdout);
  prefixed(child.stderr, app, process.stderr);
  child.on('exit', (code, signal) => onExit(app, state, code, signal));
}

function onExit(app, state, code, signal) {
  state.child = undefined;
  const why = signal ? `killed by ${signal}` : `exit code ${code}`;
  if (stopping) {
    say(app, `stopped (${why})`);
    if ([...supervised.values()].every((other) => !other.child)) process.exit(process.exitCode ?? 0);
    return;
  }
  if (code === CONFIG_ERROR) {
    say(app, `exited with a configuration error (${why}); stopping everything`);
    stop(CONFIG_ERROR);
    return;
  }
  const ranMs = Date.now() - state.startedAt;
  if (ranMs >= STABLE_AFTER_MS) state.backoffMs = FIRST_BACKOFF_MS;
  const delay = state.backoffMs;
  state.backoffMs = Math.min(state.backoffMs * 2, MAX_BACKOFF_MS);
  say(app, `exited unexpectedly (${why}) after ${(ranMs / 1000).toFixed(1)} s; restarting in ${delay} ms`);
  state.restartTimer = setTimeout(() => startApp(app), delay);
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const state of supervised.values()) clearTimeout(state.restartTimer);
  const running = [...supervised.values()].filter((state) => state.child);
  if (running.length === 0) process.exit(code);
  for (const state of running) state.child.kill('SIGTERM');
  setTimeout(() => {
    for (const [app, state] of supervised) {
      if (!state.child) continue;
      say(app, `still running after ${STOP_GRACE_MS} ms: killing it`);
      state.child.kill('SIGKILL');
    }
  }, STOP_GRACE_MS).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
for (const app of apps) startApp(app);
