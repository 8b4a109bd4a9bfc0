import { ConfigError, loadConfig } from './tessera-config';

describe('loadConfig', () => {
  it('serves a developer machine with defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/tessera');
    expect(config.NATS_URL).toEqual(['nats://127.0.0.1:4222']);
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
    expect(config.TESSERA_PRIVILEGED_ACTIONS).toEqual(['reset', 'ready', 'delete', 'purge']);
  });

  it('parses lists and numbers', () => {
    const config = loadConfig({ PORT: '8080', NATS_URL: 'nats://a:4222, nats://b:4222', TESSERA_EXTRA_AUTH_HEADERS: 'UWS-Authorization' });
    expect(config.PORT).toBe(8080);
    expect(config.NATS_URL).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(config.TESSERA_EXTRA_AUTH_HEADERS).toEqual(['UWS-Authorization']);
  });

  it.each([
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://x'],
    ['NATS_URL', 'http://x'],
    ['TESSERA_TOKEN_MAX_DAYS', '0'],
    ['TESSERA_ADMIN_TOKEN_TTL', '3601'],
    ['TESSERA_PREVIOUS_ENCRYPTION_KEYS', 'not-a-key'],
    ['TESSERA_ENCRYPTION_KEY', 'short'],
    ['OAUTH2_PROVIDER', 'myspace'],
  ])('names the bad variable %s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('takes trusted proxies as addresses and CIDR ranges, and names a bad one', () => {
    expect(loadConfig({}).TESSERA_TRUSTED_PROXIES).toEqual([]);
    expect(loadConfig({ TESSERA_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7, fd00::/8' }).TESSERA_TRUSTED_PROXIES).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
    ]);
    for (const bad of ['everyone', '10.0.0.0/33', '10.0.0.0/8/1', '*'])
      expect(() => loadConfig({ TESSERA_TRUSTED_PROXIES: bad })).toThrow(/TESSERA_TRUSTED_PROXIES:/);
    expect(() => loadConfig({ TESSERA_MIDDLE_AUTH: 'maybe' })).toThrow(/TESSERA_MIDDLE_AUTH:/);
  });

  it('requires an encryption key in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/TESSERA_ENCRYPTION_KEY/);
  });
});
