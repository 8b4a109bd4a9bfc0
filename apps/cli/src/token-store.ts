import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CONFIG_HOME/tessera`, else `~/.config/tessera` (HOME from the environment, so tests can use a temp dir). */
export function configDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'tessera');
}

export interface StoredLogin {
  token: string;
  /** The gateway the token belongs to, when login recorded it. */
  url?: string;
}

/** The stored login: the token alone in `token` (mode 0600), the gateway's URL beside it in `url`. */
export class TokenStore {
  constructor(private readonly dir: string) {}

  get tokenPath(): string {
    return join(this.dir, 'token');
  }

  private get urlPath(): string {
    return join(this.dir, 'url');
  }

  read(): StoredLogin | undefined {
    if (!existsSync(this.tokenPath)) return undefined;
    const token = readFileSync(this.tokenPath, 'utf8').trim();
    if (!token) return undefined;
    const url = existsSync(this.urlPath) ? readFileSync(this.urlPath, 'utf8').trim() || undefined : undefined;
    return { token, url };
  }

  write(login: StoredLogin): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Written with mode 0600 from the first byte, and chmod-ed in case the file was already there.
    writeFileSync(this.tokenPath, `${login.token}\n`, { mode: 0o600 });
    chmodSync(this.tokenPath, 0o600);
    if (login.url) writeFileSync(this.urlPath, `${login.url}\n`, { mode: 0o600 });
  }

  clear(): boolean {
    const had = existsSync(this.tokenPath);
    rmSync(this.tokenPath, { force: true });
    rmSync(this.urlPath, { force: true });
    return had;
  }
}
