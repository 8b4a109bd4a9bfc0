import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliContext } from './cli-context';
import { EXIT } from './cli-error';
import { buildProgram, run } from './program';
import { TokenStore } from './token-store';

function memoryIo(env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (text: string) => ((out.stdout += text), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (text: string) => ((out.stderr += text), true) } as unknown as NodeJS.WritableStream,
    env: { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'tessera-cli-unit-')), ...env },
  };
  return { io, out };
}

describe('the tessera command line: parsing', () => {
  it('prints help with the global options and the exit codes, and exits 0', async () => {
    const { io, out } = memoryIo();
    expect(await run(['--help'], io)).toBe(EXIT.ok);
    expect(out.stdout).toContain('--json');
    expect(out.stdout).toContain('--token <token>');
    expect(out.stdout).toContain('--url <url>');
    expect(out.stdout).toMatch(/64 usage, 66 not found, 69 unavailable/);
  });

  it('exits 64 on an unknown command, an unknown option and a missing argument, naming the problem', async () => {
    const unknown = memoryIo();
    expect(await run(['frobnicate'], unknown.io)).toBe(EXIT.usage);
    expect(unknown.out.stderr).toContain("unknown command 'frobnicate'");
    const option = memoryIo();
    expect(await run(['audit', 'events', '--colour'], option.io)).toBe(EXIT.usage);
    expect(option.out.stderr).toContain("unknown option '--colour'");
    const choice = memoryIo();
    expect(await run(['replay'], choice.io)).toBe(EXIT.usage);
    expect(choice.out.stderr).toContain("missing required argument 'projection'");
  });

  it('lists every command module found in commands/', () => {
    const { io } = memoryIo();
    const names = buildProgram(io).commands.map((command) => command.name());
    expect(names).toEqual(expect.arrayContaining(['audit', 'replay']));
  });

  it('takes the token from --token, then TESSERA_TOKEN, then the stored login', () => {
    const { io } = memoryIo({ TESSERA_TOKEN: 'from-env' });
    new TokenStore(join(io.env.XDG_CONFIG_HOME!, 'tessera')).write({ token: 'stored', url: 'http://stored.example:3000' });
    expect(new CliContext(io, { token: 'from-flag' }).token()).toBe('from-flag');
    expect(new CliContext(io, {}).token()).toBe('from-env');
    const stored = new CliContext({ ...io, env: { ...io.env, TESSERA_TOKEN: '' } }, {});
    expect(stored.token()).toBe('stored');
    expect(stored.baseUrl).toBe('http://stored.example:3000');
    expect(new CliContext(io, { url: 'http://flag.example/' }).baseUrl).toBe('http://flag.example');
  });

  it('says "not logged in" with exit 78 when no token is anywhere', async () => {
    const { io, out } = memoryIo();
    expect(await run(['--url', 'http://127.0.0.1:9', 'audit', 'events'], io)).toBe(EXIT.notLoggedIn);
    expect(out.stderr).toContain('not logged in');
  });
});
