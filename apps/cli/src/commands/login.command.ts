import { spawn } from 'node:child_process';
import { Command, Option } from 'commander';
import { CliError, EXIT } from '../cli-error';
import type { CliContext, CliRuntime } from '../cli-context';

/** What the command line asks for by default: every permission, its own tokens, and the owner's admin rights if any. */
const LOGIN_SCOPES = '* tokens admin';
const CLIENT_ID = 'tessera-cli';

interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

interface Me {
  id: string | null;
  name: string;
  email?: string | null;
  admin: boolean;
  serviceAccount: boolean;
  readOnly: boolean;
  groups: (string | { id: string; name: string })[];
}

export function register(program: Command, cli: CliRuntime): void {
  program
    .command('login')
    .description('log in with a device code: approve in the browser, the token is kept in ~/.config/tessera/token (mode 0600)')
    .addOption(new Option('--scope <scopes>', 'space-separated scopes of the token').default(LOGIN_SCOPES))
    .option('--no-browser', 'only print the address, do not open a browser')
    .action(cli.action(login));

  program.command('logout').description('revoke the stored token and forget it').action(cli.action(logout));

  program.command('whoami').description('who the token belongs to').action(cli.action(whoami));
}

async function login(context: CliContext, options: { scope: string; browser: boolean }): Promise<void> {
  const code = await context.api.json<DeviceCode>(
    'POST',
    '/auth/device/code',
    { client_id: CLIENT_ID, scope: options.scope },
    { auth: false },
  );
  context.out.note(`To log in, open ${code.verification_uri} and enter the code ${code.user_code}`);
  context.out.note(`(or open ${code.verification_uri_complete}); waiting for approval…`);
  if (options.browser && context.io.stderr.isTTY) openBrowser(code.verification_uri_complete, context.io.env);
  const token = await pollForToken(context, code);
  context.store.write({ token, url: context.baseUrl });
  const me = await context.api.json<Me>('GET', '/api/v1/me', undefined, { auth: true });
  context.out.result({ user: me, url: context.baseUrl, tokenFile: context.store.tokenPath }, () =>
    context.out.line(
      `Logged in to ${context.baseUrl} as ${me.name}${me.email ? ` <${me.email}>` : ''}; token kept in ${context.store.tokenPath}`,
    ),
  );
}

/** RFC 8628 section 3.5: wait the interval, poll, and on `slow_down` wait longer from then on. */
async function pollForToken(context: CliContext, code: DeviceCode): Promise<string> {
  let interval = Math.max(1, code.interval);
  const deadline = Date.now() + code.expires_in * 1000;
  while (Date.now() < deadline + interval * 1000) {
    await new Promise((resolve) => setTimeout(resolve, interval * 1000));
    let response: Response;
    try {
      response = await fetch(`${context.baseUrl}/auth/device/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          device_code: code.device_code,
          client_id: CLIENT_ID,
        }),
      });
    } catch (error) {
      throw new CliError(`cannot reach ${context.baseUrl}: ${(error as Error).message}`, EXIT.unavailable);
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string; interval?: number };
    if (response.ok && body.access_token) return body.access_token;
    switch (body.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        interval = body.interval ?? interval + 5;
        continue;
      case 'access_denied':
        throw new CliError('the login was denied in the browser', EXIT.auth);
      case 'expired_token':
        throw new CliError('the code expired before it was approved: run `tessera login` again', EXIT.auth);
      default:
        if (response.status === 429 || response.status >= 500) {
          interval += 5;
          continue;
        }
        throw new CliError(`the login failed: HTTP ${response.status} ${body.error ?? ''}`.trim(), EXIT.failure);
    }
  }
  throw new CliError('the code expired before it was approved: run `tessera login` again', EXIT.auth);
}

/** Best effort: the platform's opener, detached; any failure leaves the printed address to the person. */
function openBrowser(url: string, env: NodeJS.ProcessEnv): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? ['xdg-open', [url]]
          : [undefined, []];
  if (!command) return;
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener: the address is printed above
  }
}

async function logout(context: CliContext): Promise<void> {
  const stored = context.store.read();
  if (!stored) {
    context.out.result({ loggedOut: false }, () => context.out.note('not logged in'));
    return;
  }
  // RFC 7009: holding the token is the proof; 200 even when it was revoked already.
  await context.api.request('POST', '/api/v1/tokens/revoke', { token: stored.token }, { auth: false }).catch((error: unknown) => {
    context.out.note(`could not revoke the token at ${context.baseUrl} (${(error as Error).message}); forgetting it anyway`);
  });
  context.store.clear();
  context.out.result({ loggedOut: true }, () => context.out.line(`Logged out; ${context.store.tokenPath} removed`));
}

async function whoami(context: CliContext): Promise<void> {
  const me = await context.api.json<Me>('GET', '/api/v1/me');
  context.out.result(me, () => {
    const flags = [me.admin && 'super admin', me.serviceAccount && 'service account', me.readOnly && 'read-only'].filter(Boolean);
    context.out.line(`${me.name}${me.email ? ` <${me.email}>` : ''}${flags.length ? ` (${flags.join(', ')})` : ''}`);
    context.out.line(`id      ${me.id ?? '-'}`);
    context.out.line(`groups  ${me.groups.map((group) => (typeof group === 'string' ? group : group.name)).join(', ') || '-'}`);
    context.out.line(`gateway ${context.baseUrl}`);
  });
}
