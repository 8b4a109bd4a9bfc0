import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TesseraConfig } from '@tessera/config';

/** The console's build output: dist/console beside dist/apps (this file runs from dist/apps/gateway/src/console). */
export const CONSOLE_DIR = resolve(__dirname, '../../../../console');

/** Everything the console loads comes from this origin; no inline script or style, no framing. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the API: never answered with the console's page, so an unknown one stays a JSON 404. */
const API_PATHS = /^\/(api|auth|healthz|readyz|metrics)(\/|$)/;

/**
 * Serves the console with @fastify/static: hashed assets cached for a year, the page itself never
 * cached and under CONSOLE_CSP, and the page for every other GET path (the console routes itself).
 */
@Injectable()
export class ConsoleSite implements OnModuleInit {
  private readonly log = new Logger('console');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: TesseraConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
      this.log.warn(`no console at ${CONSOLE_DIR}: run \`npm run build\` to build it`);
      return;
    }
    void fastify.register(fastifyStatic, {
      root: CONSOLE_DIR,
      wildcard: false,
      index: false,
      setHeaders: (reply, path) => {
        if (path.endsWith('.html')) {
          reply.header('content-security-policy', CONSOLE_CSP);
          reply.header('cache-control', 'no-cache');
        } else if (path.includes('/assets/')) {
          reply.header('cache-control', 'public, max-age=31536000, immutable');
        }
      },
    });
    // What the console needs before its first API call; nothing here is secret.
    fastify.get('/console/config.json', async () => ({
      publicUrl: this.config.publicUrl,
      tokenMaxDays: this.config.TESSERA_TOKEN_MAX_DAYS,
    }));
    const page = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0];
      if (API_PATHS.test(path) || path.startsWith('/assets/')) return reply.callNotFound();
      return reply.sendFile('index.html');
    };
    fastify.get('/', page);
    fastify.get('/*', page);
  }
}
