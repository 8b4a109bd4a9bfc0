import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '@tessera/testing';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A config home of its own, so no test reads or writes the stored login of the machine. */
export function configHome(): string {
  return mkdtempSync(join(tmpdir(), 'tessera-cli-'));
}

/** `npx tessera …` as a child process (the built bin), with the environment given and nothing else stored. */
export function tesseraCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'tessera.js'), ...args],
      { env: { ...process.env, TESSERA_TOKEN: '', TESSERA_URL: '', XDG_CONFIG_HOME: configHome(), ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * A session token for `login` through the real login of CONTRACT section 4 with the dev provider:
 * /auth/login → provider → /auth/callback → the console with ?code=, traded at /auth/token.
 */
export async function signIn(baseUrl: string, login: string): Promise<string> {
  const redirect = `${baseUrl}/`;
  const cookies = new Map<string, string>();
  let next = `${baseUrl}/auth/login?redirect=${encodeURIComponent(redirect)}&login_hint=${encodeURIComponent(login)}`;
  for (let hop = 0; hop < 10; hop += 1) {
    const host = new URL(next).host;
    const cookie = [...cookies].filter(([key]) => key.startsWith(`${host} `)).map(([key, value]) => `${key.split(' ')[1]}=${value}`);
    const response = await fetch(next, { redirect: 'manual', headers: cookie.length ? { cookie: cookie.join('; ') } : {} });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      cookies.set(`${host} ${pair.slice(0, pair.indexOf('=')).trim()}`, pair.slice(pair.indexOf('=') + 1).trim());
    }
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) throw new Error(`login stopped at ${next}: ${response.status}`);
    next = new URL(location, next).href;
    if (next.startsWith(`${redirect}?code=`)) {
      const code = new URL(next).searchParams.get('code');
      const traded = await fetch(`${baseUrl}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, redirect }),
      });
      if (traded.status !== 200) throw new Error(`/auth/token answered ${traded.status}`);
      return ((await traded.json()) as { token: string }).token;
    }
  }
  throw new Error('too many redirects');
}

/** A running `tessera login`: the user code once printed, and the run's end. */
export interface LoginRun {
  userCode: Promise<string>;
  done: Promise<CliRun>;
}

/** Starts `tessera login` as a child process and reads the user code from what it prints. */
export function startLogin(args: string[], env: Record<string, string | undefined>): LoginRun {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'tessera.js'), 'login', ...args], {
    env: { ...process.env, TESSERA_TOKEN: '', TESSERA_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let found: (code: string) => void;
  let failed: (error: Error) => void;
  const userCode = new Promise<string>((resolve, reject) => ((found = resolve), (failed = reject)));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const match = /enter the code ([A-Z]{4}-[A-Z]{4})/.exec(stderr);
    if (match) found(match[1]);
  });
  const timer = setTimeout(() => child.kill(), 60_000);
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      failed(new Error(`login printed no code: ${stderr}`));
      resolve({ code: code ?? 1, stdout, stderr });
    }),
  );
  return { userCode, done };
}
