import { deciderSpecification } from '@tessera/testing';
import { trustedAppDecider } from './trusted-app.decider';

const given = deciderSpecification(trustedAppDecider);
const appId = '7d1b0f7e-1c2a-4e8e-9a0b-3f4c5d6e7f80';
const registered = { type: 'TrustedAppRegistered' as const, data: { appId, url: 'https://viewer.example.org/app' } };

describe('trusted app decider', () => {
  it('registers an http(s) URL, spelled as URL normalises it', () => {
    given([])
      .when({ type: 'RegisterTrustedApp', data: { appId, url: 'HTTPS://Viewer.Example.org/app' } })
      .then([registered]);
    given([])
      .when({ type: 'RegisterTrustedApp', data: { appId, url: 'http://127.0.0.1:8080' } })
      .then([{ type: 'TrustedAppRegistered', data: { appId, url: 'http://127.0.0.1:8080/' } }]);
  });

  it('refuses what is not a plain http(s) URL, naming url', () => {
    for (const [url, problem] of [
      [42, 'must be a string'],
      ['viewer.example.org', 'must be an absolute URL'],
      ['ftp://viewer.example.org/', 'must be http or https'],
      ['https://me:secret@viewer.example.org/', 'must carry no credentials, query or fragment'],
      ['https://viewer.example.org/?next=x', 'must carry no credentials, query or fragment'],
      ['https://viewer.example.org/#top', 'must carry no credentials, query or fragment'],
    ] as const) {
      given([]).when({ type: 'RegisterTrustedApp', data: { appId, url } }).thenFails('bad_request', `url: ${problem}`);
    }
  });

  it('refuses an app id that is taken', () => {
    given([registered])
      .when({ type: 'RegisterTrustedApp', data: { appId, url: 'https://other.example.org/' } })
      .thenFails('conflict');
  });

  it('removes a registered app, naming its URL', () => {
    given([registered])
      .when({ type: 'RemoveTrustedApp', data: { appId } })
      .then([{ type: 'TrustedAppRemoved', data: registered.data }]);
  });

  it('answers not_found for an app never registered, or removed already', () => {
    given([]).when({ type: 'RemoveTrustedApp', data: { appId } }).thenFails('not_found', 'no such app');
    given([registered, { type: 'TrustedAppRemoved', data: registered.data }])
      .when({ type: 'RemoveTrustedApp', data: { appId } })
      .thenFails('not_found');
  });
});
