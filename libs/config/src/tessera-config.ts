import { plainToInstance, Transform } from 'class-transformer';
import { isIP } from 'node:net';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  validateSync,
  type ValidatorConstraintInterface,
} from 'class-validator';

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0)
    : value;

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/** An IPv4 or IPv6 address, or a CIDR range of either (`10.0.0.0/8`, `fd00::/8`). */
@ValidatorConstraint({ name: 'addressOrRange' })
class AddressOrRange implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Array.isArray(value) && value.every((item) => typeof item === 'string' && isAddressOrRange(item));
  }
  defaultMessage(): string {
    return 'TESSERA_TRUSTED_PROXIES must be IP addresses or CIDR ranges, comma separated';
  }
}

function isAddressOrRange(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export const OAUTH2_PROVIDERS = ['dev', 'google', 'github', 'globus', 'generic'] as const;

/**
 * The environment of CONTRACT.md section 1, validated once at start.
 * Property names are the variable names, so a validation message names the variable.
 */
export class TesseraConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/tessera';

  @Transform(splitList)
  @Matches(/^(nats|tls|ws|wss):\/\/[^\s]+$/, { each: true, message: 'NATS_URL must be nats:// URLs, comma separated' })
  NATS_URL: string[] = ['nats://127.0.0.1:4222'];

  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'TESSERA_PUBLIC_URL must be an http(s) URL' })
  TESSERA_PUBLIC_URL?: string;

  @IsOptional()
  @IsString()
  @Matches(/^.{16,}$/, { message: 'TESSERA_ADMIN_KEY must be at least 16 characters' })
  TESSERA_ADMIN_KEY?: string;

  /** The most dangerous token lives shortest: at most an hour. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  TESSERA_ADMIN_TOKEN_TTL = 900;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  TESSERA_SESSION_TTL = 604800;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(36500)
  TESSERA_TOKEN_MAX_DAYS = 366;

  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'TESSERA_ENCRYPTION_KEY must be 32 bytes in base64' })
  TESSERA_ENCRYPTION_KEY?: string;

  /** Not in the contract: keys that sealed credentials before a rotation, still opened until `npm run reseal`. */
  @Transform(splitList)
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    each: true,
    message: 'TESSERA_PREVIOUS_ENCRYPTION_KEYS must be 32-byte keys in base64, comma separated',
  })
  TESSERA_PREVIOUS_ENCRYPTION_KEYS: string[] = [];

  @Transform(splitList)
  @Matches(/^[A-Za-z0-9-]+$/, { each: true, message: 'TESSERA_EXTRA_AUTH_HEADERS must be header names, comma separated' })
  TESSERA_EXTRA_AUTH_HEADERS: string[] = [];

  @Transform(splitList)
  @Matches(/^[a-z0-9_-]+$/, { each: true, message: 'TESSERA_PRIVILEGED_ACTIONS must be action names, comma separated' })
  TESSERA_PRIVILEGED_ACTIONS: string[] = ['reset', 'ready', 'delete', 'purge'];

  /** Reverse proxies whose X-Forwarded-For is believed; from anyone else it is ignored. */
  @Transform(splitList)
  @Validate(AddressOrRange)
  TESSERA_TRUSTED_PROXIES: string[] = [];

  /** `off` turns off the middle_auth-compatible token sources (the `middle_auth_token` cookie and query parameter). */
  @IsIn(['on', 'off'])
  TESSERA_MIDDLE_AUTH: 'on' | 'off' = 'on';

  @IsOptional()
  @IsIn([...OAUTH2_PROVIDERS])
  OAUTH2_PROVIDER?: (typeof OAUTH2_PROVIDERS)[number];

  @IsOptional() @Matches(/^https?:\/\/\S+$/) OAUTH2_AUTHORIZATION_URL?: string;
  @IsOptional() @Matches(/^https?:\/\/\S+$/) OAUTH2_TOKEN_URL?: string;
  @IsOptional() @Matches(/^https?:\/\/\S+$/) OAUTH2_USERINFO_URL?: string;
  @IsOptional() @Matches(/^https?:\/\/\S+$/) OAUTH2_INTROSPECTION_URL?: string;
  @IsOptional() @IsString() OAUTH2_CLIENT_ID?: string;
  @IsOptional() @IsString() OAUTH2_CLIENT_SECRET?: string;
  @IsOptional() @IsString() OAUTH2_SCOPE?: string;
  @IsOptional() @IsString() OAUTH2_ISSUER?: string;

  /** Further client ids or audiences whose provider tokens the token exchange accepts, besides OAUTH2_CLIENT_ID. */
  @Transform(splitList)
  @IsString({ each: true })
  OAUTH2_EXCHANGE_AUDIENCES: string[] = [];

  /** Not in the contract: how often consumers poll the log head when no notification arrives. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  TESSERA_POLL_INTERVAL_MS = 250;

  /** Not in the contract: PostgreSQL connections per app process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  TESSERA_DB_POOL_SIZE = 10;

  /** Not in the contract: how often the gateway sends the `lastUsedAt` of the tokens it saw to the token app (tests shorten it). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  TESSERA_LAST_USED_FLUSH_MS = 5_000;

  /** The development identity provider (OAUTH2_PROVIDER=dev): its port, 0 for any free one. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65_535)
  OAUTH2_DEV_PORT = 0;

  /** The development identity provider: the lifetime of the tokens it issues, in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  OAUTH2_DEV_TOKEN_TTL = 3_600;

  /**
   * Where the NATS apps serve `GET /metrics` (the gateway serves it on PORT). Unset: each app's own
   * default, METRICS_PORTS; 0: any free port (logged at start).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  TESSERA_METRICS_PORT?: number;

  /** The address the metrics port listens on; loopback unless a scraper elsewhere needs it. */
  @Matches(/^[0-9a-fA-F.:]+$/, { message: 'TESSERA_METRICS_HOST must be an IP address' })
  TESSERA_METRICS_HOST = '127.0.0.1';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  TESSERA_LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  get publicUrl(): string {
    return (this.TESSERA_PUBLIC_URL ?? `http://127.0.0.1:${this.PORT}`).replace(/\/+$/, '');
  }
}

export class ConfigError extends Error {
  constructor(
    readonly variables: string[],
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TesseraConfig {
  const known = Object.keys(new TesseraConfig());
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => value !== undefined && value !== '' && (known.includes(key) || key.startsWith('OAUTH2_'))),
  );
  const config = plainToInstance(TesseraConfig, relevant, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`);
    throw new ConfigError(
      errors.map((error) => error.property),
      `invalid configuration:\n  ${lines.join('\n  ')}`,
    );
  }
  if (config.NODE_ENV === 'production' && !config.TESSERA_ENCRYPTION_KEY) {
    throw new ConfigError(
      ['TESSERA_ENCRYPTION_KEY'],
      'invalid configuration:\n  TESSERA_ENCRYPTION_KEY: required when NODE_ENV=production',
    );
  }
  return config;
}
