#!/usr/bin/env node
// `npm start` runs all five apps; `npm start -- token` or `npm run start:token` runs one.
// Builds first when the sources changed, prefixes every log line with the app's name, and on
// SIGINT/SIGTERM stops every app and waits for them before exiting.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..');
const APPS = ['identity', 'token', 'policy', 'audit', 'gateway'];
const requested = process.argv.slice(2);
const apps = requested.length > 0 ? requested : APPS;
const unknown = apps.filter((app) => !APPS.includes(app));
if (unknown.length > 0) {
  console.error(`unknown app: ${unknown.join(', ')} (apps: ${APPS.join(', ')})`);
  process.exit(64);
}

// tsc is incremental: a build with nothing changed takes a few seconds.
const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const width = Math.max(...apps.map((app) => app.length));
const children = new Map();
let stopping = false;

function prefixed(stream, app, target) {
  readline.createInterface({ input: stream }).on('line', (line) => target.write(`${app.padEnd(width)} | ${line}\n`));
}

function startApp(app) {
  const child = spawn(process.execPath, ['--enable-source-maps', '-r', './scripts/register-paths.js', `dist/apps/${app}/src/main.js`], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixed(child.stdout, app, process.stdout);
  prefixed(child.stderr, app, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(app);
    if (!stopping) {
      console.error(`${app.padEnd(width)} | exited (${signal ?? code}); stopping the others`);
      stop(code || 1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  children.set(app, child);
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  if (children.size === 0) process.exit(code);
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code || 1);
  }, 10_000).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
for (const app of apps) startApp(app);
