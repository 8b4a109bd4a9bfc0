import type { Command } from 'commander';
import { ApiClient } from './api-client';
import { Output, type CliIo } from './output';
import { configDir, TokenStore } from './token-store';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** The options every command takes (`tessera --help` lists them). */
export interface GlobalOptions {
  json?: boolean;
  token?: string;
  url?: string;
  minRevision?: string;
}

/** What a command's action works with: the gateway, the stored login and the terminal. */
export class CliContext {
  readonly store: TokenStore;
  readonly out: Output;
  readonly api: ApiClient;
  readonly baseUrl: string;

  constructor(
    readonly io: CliIo,
    readonly globals: GlobalOptions,
  ) {
    this.store = new TokenStore(configDir(io.env));
    this.out = new Output(io, Boolean(globals.json));
    const stored = this.store.read();
    this.baseUrl = (globals.url || io.env.TESSERA_URL || stored?.url || DEFAULT_URL).replace(/\/+$/, '');
    this.api = new ApiClient(this.baseUrl, () => this.token(), globals.minRevision);
  }

  /** `--token`, then `TESSERA_TOKEN`, then the stored login, in that order. */
  token(): string | undefined {
    return this.globals.token || this.io.env.TESSERA_TOKEN || this.store.read()?.token;
  }
}

/** Wraps an action so it receives the context first, then commander's arguments and options. */
export type ActionOf<A extends unknown[]> = (context: CliContext, ...args: A) => Promise<void>;

export interface CliRuntime {
  action<A extends unknown[]>(run: ActionOf<A>): (...args: unknown[]) => Promise<void>;
}

export function runtime(io: CliIo): CliRuntime {
  return {
    action<A extends unknown[]>(run: ActionOf<A>) {
      return async (...args: unknown[]) => {
        const command = args[args.length - 1] as Command;
        await run(new CliContext(io, command.optsWithGlobals<GlobalOptions>()), ...(args.slice(0, -1) as A));
      };
    },
  };
}
