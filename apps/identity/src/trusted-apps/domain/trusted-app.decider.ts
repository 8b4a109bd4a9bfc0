import { TesseraError, type TrustedAppEvent } from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';

/** A trusted app as its stream (`app-<id>`) leaves it. */
export type TrustedAppState = { status: 'unknown' } | { status: 'registered' | 'removed'; appId: string; url: string };

/** `url` as the caller gave it: decide accepts it only as an http(s) URL without credentials, query or fragment. */
export type RegisterTrustedApp = Command<'RegisterTrustedApp', { appId: string; url: unknown }>;
export type RemoveTrustedApp = Command<'RemoveTrustedApp', { appId: string }>;
export type TrustedAppCommand = RegisterTrustedApp | RemoveTrustedApp;

export function decide(command: TrustedAppCommand, state: TrustedAppState): TrustedAppEvent[] | TesseraError {
  switch (command.type) {
    case 'RegisterTrustedApp': {
      if (state.status !== 'unknown') return new TesseraError('conflict', `app ${command.data.appId} exists`);
      const url = normalizeAppUrl(command.data.url);
      return url instanceof TesseraError ? url : [{ type: 'TrustedAppRegistered', data: { appId: command.data.appId, url } }];
    }
    case 'RemoveTrustedApp':
      if (state.status !== 'registered') return new TesseraError('not_found', 'no such app');
      return [{ type: 'TrustedAppRemoved', data: { appId: state.appId, url: state.url } }];
  }
}

export function evolve(state: TrustedAppState, event: TrustedAppEvent): TrustedAppState {
  switch (event.type) {
    case 'TrustedAppRegistered':
      return { status: 'registered', appId: event.data.appId, url: event.data.url };
    case 'TrustedAppRemoved':
      return { status: 'removed', appId: event.data.appId, url: event.data.url };
  }
}

export const initialState = (): TrustedAppState => ({ status: 'unknown' });

export const trustedAppDecider: Decider<TrustedAppState, TrustedAppCommand, TrustedAppEvent> = { decide, evolve, initialState };

/** An http(s) URL without credentials, query or fragment, as `URL` spells it; 400 naming `url` otherwise. */
export function normalizeAppUrl(raw: unknown): string | TesseraError {
  const bad = (problem: string) => new TesseraError('bad_request', `url: ${problem}`, [{ field: 'url', problems: [problem] }]);
  if (typeof raw !== 'string') return bad('must be a string');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return bad('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return bad('must be http or https');
  if (url.username || url.password || url.search || url.hash) return bad('must carry no credentials, query or fragment');
  return url.href;
}
