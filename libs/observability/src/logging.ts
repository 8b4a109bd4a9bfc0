import type { LoggerService } from '@nestjs/common';
import pino, { type Logger as PinoLogger } from 'pino';
import { currentTraceIds, tracingOn } from './tracing';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogOptions {
  level?: LogLevel;
  /** Human-readable lines (pino-pretty) instead of one JSON object a line. */
  pretty?: boolean;
}

/**
 * Fields that may carry a credential if an object is ever logged whole: censored wherever they
 * appear one level deep. Messages never quote a token, secret or header in the first place.
 */
const REDACTED = ['authorization', 'cookie', 'token', 'accessToken', 'refreshToken', 'password', 'secret', 'clientSecret'];

let root: PinoLogger | undefined;

/**
 * The process's logger: one JSON object a line on stdout (written asynchronously, flushed at exit),
 * or pretty lines in development; every line carries the app, and the trace and span ids while
 * tracing.
 */
export function createLog(app: string, options: LogOptions = {}): PinoLogger {
  const base = {
    level: options.level ?? 'info',
    base: { app, pid: process.pid },
    redact: { paths: [...REDACTED, ...REDACTED.map((field) => `*.${field}`)], censor: '[redacted]' },
    mixin: () => (tracingOn() ? (currentTraceIds() ?? {}) : {}),
  };
  if (options.pretty) {
    root = pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: {
          colorize: !process.env.NO_COLOR,
          singleLine: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,app,context',
          messageFormat: '{if context}[{context}] {end}{msg}',
        },
      },
    });
    return root;
  }
  const destination = pino.destination({ dest: 1, sync: false });
  process.once('exit', () => destination.flushSync());
  root = pino(base, destination);
  return root;
}

/** The process's logger (a JSON one on stdout when createLog was not called, as in unit tests). */
export function rootLog(): PinoLogger {
  return (root ??= pino({ level: 'info' }));
}

/**
 * Nest's Logger on pino: `new Logger('Context').warn(…)` anywhere in the apps becomes a line with
 * `context`. Nest passes the context last, and `error` a stack before it.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: PinoLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...(message as object) });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
