import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ACCOUNT_SCOPES, DEVICE_SUBJECTS, TesseraError, TOKEN_ADMIN_SUBJECTS, type DevicePoll } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { TesseraClient } from '@tessera/messaging';
import { TokenIndexReplica } from '@tessera/token-index';
import { Authenticated } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, type Caller } from '../auth/current-principal.decorator';
import { RateLimited } from '../rate-limits/rate-limits';
import { DeviceCodeDto, DeviceDecisionAnswerDto, DeviceDecisionDto, DeviceLoginDto, DeviceTokenDto } from './device.dto';

/** CONTRACT section 9: a device login's token is a personal token living 30 days. */
const DEVICE_TOKEN_DAYS = 30;
const DEFAULT_CLIENT = 'tessera-cli';
const DEFAULT_SCOPES = ['*', 'tokens'];

/** RFC 8628 section 3.5's error answers, as the RFC spells them (not the API's error body). */
const POLL_ERRORS = {
  pending: ['authorization_pending', 'the user has not approved or denied the request yet'],
  slow_down: ['slow_down', 'polling too fast: wait the interval, which has grown by 5 seconds'],
  denied: ['access_denied', 'the user denied the request'],
  expired: ['expired_token', 'the device code has expired: start the login again'],
  unknown: ['invalid_grant', 'unknown or already used device code'],
} as const;

/**
 * RFC 8628 device authorization grant: a command line asks for a code, a signed-in person approves
 * it on the console's /device page, the command line's polls collect a personal token. The pending
 * requests live in the identity app, so any gateway replica answers any step.
 */
@ApiTags('device login')
@Controller()
export class DeviceController {
  constructor(
    private readonly client: TesseraClient,
    private readonly config: TesseraConfig,
    private readonly replica: TokenIndexReplica,
  ) {}

  @Post('auth/device/code')
  @HttpCode(200)
  @RateLimited('device-code', { formBody: true })
  @ApiOperation({
    summary: 'RFC 8628 device authorization request (form or JSON): a device code, and the user code a person approves at /device',
  })
  async code(@Body() body: DeviceCodeDto) {
    const scopes = this.scopes(body.scope);
    const clientId = body.client_id ?? DEFAULT_CLIENT;
    const answer = await this.client.request(DEVICE_SUBJECTS.request, { clientId, scopes });
    const verification = `${this.config.publicUrl}/device`;
    return {
      device_code: answer.deviceCode,
      user_code: answer.userCode,
      verification_uri: verification,
      verification_uri_complete: `${verification}?user_code=${answer.userCode}`,
      expires_in: answer.expiresIn,
      interval: answer.interval,
    };
  }

  @Post('auth/device/token')
  @HttpCode(200)
  @RateLimited('device-token', { formBody: true })
  @ApiOperation({
    summary:
      'RFC 8628 device access token request (form or JSON): the token once approved, else 400 {error}: authorization_pending, slow_down, access_denied, expired_token',
  })
  async token(@Body() body: DeviceTokenDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const poll: DevicePoll = await this.client.request(DEVICE_SUBJECTS.poll, { deviceCode: body.device_code });
    void reply.header('cache-control', 'no-store');
    if (poll.status === 'approved') {
      const expiresIn = poll.expiresAt ? Math.max(0, Math.floor((Date.parse(poll.expiresAt) - Date.now()) / 1000)) : undefined;
      return { access_token: poll.token, token_type: 'Bearer', ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}) };
    }
    const [error, description] = POLL_ERRORS[poll.status];
    void reply.status(400);
    // RFC 6749's fields, inside the API's own error body (clients of either read what they know).
    return {
      statusCode: 400,
      error,
      message: description,
      details: [],
      error_description: description,
      ...(poll.status === 'slow_down' ? { interval: poll.interval } : {}),
    };
  }

  @Get('api/v1/device')
  @Authenticated()
  @RateLimited('device-verify')
  @ApiQuery({ name: 'user_code', required: true, type: String })
  @ApiOkResponse({ type: DeviceLoginDto })
  @ApiOperation({ summary: 'The device login waiting with this user code: which client asks, for which scopes (signed-in person)' })
  show(@CurrentPrincipal() principal: Caller, @Query('user_code') userCode: unknown): Promise<DeviceLoginDto> {
    return this.client.request(DEVICE_SUBJECTS.show, { principal, userCode: requireUserCode(userCode) });
  }

  @Post('api/v1/device/approve')
  @HttpCode(200)
  @Authenticated()
  @RateLimited('device-verify')
  @ApiOkResponse({ type: DeviceDecisionAnswerDto })
  @ApiOperation({ summary: 'Approve a device login: a personal token of the caller (30 days, the scopes asked) goes to the device' })
  async approve(@CurrentPrincipal() principal: Caller, @Body() body: DeviceDecisionDto): Promise<DeviceDecisionAnswerDto> {
    const asked = await this.client.request(DEVICE_SUBJECTS.show, { principal, userCode: body.userCode });
    if (asked.status !== 'pending') throw new TesseraError('conflict', `this device login was ${asked.status} already`);
    // Minted as the approving person, so the token app's rules hold: never more than the approver's own token carries.
    const minted = await this.client.request(TOKEN_ADMIN_SUBJECTS.mint, {
      principal,
      kind: 'personal',
      name: `${asked.clientId} (device login)`,
      scopes: asked.scopes,
      expiresInDays: DEVICE_TOKEN_DAYS,
    });
    try {
      return await this.client.request(DEVICE_SUBJECTS.approve, {
        principal,
        userCode: body.userCode,
        tokenId: minted.id,
        token: minted.token,
        tokenExpiresAt: minted.expiresAt ?? null,
      });
    } catch (error) {
      // Decided or expired meanwhile: the token nobody will collect is revoked at once.
      await this.client.request(TOKEN_ADMIN_SUBJECTS.revoke, { token: minted.token }).catch(() => undefined);
      throw error;
    }
  }

  @Post('api/v1/device/deny')
  @HttpCode(200)
  @Authenticated()
  @RateLimited('device-verify')
  @ApiOkResponse({ type: DeviceDecisionAnswerDto })
  @ApiOperation({ summary: 'Deny a device login: its polls answer access_denied' })
  deny(@CurrentPrincipal() principal: Caller, @Body() body: DeviceDecisionDto): Promise<DeviceDecisionAnswerDto> {
    return this.client.request(DEVICE_SUBJECTS.deny, { principal, userCode: body.userCode });
  }

  /** Space-separated scopes: each `*`, an account scope or a registered permission; 400 naming `scope` otherwise. */
  private scopes(scope: string | undefined): string[] {
    if (scope === undefined) return DEFAULT_SCOPES;
    const scopes = [...new Set(scope.split(/\s+/).filter(Boolean))];
    const unknown = scopes.filter(
      (name) => name !== '*' && !(ACCOUNT_SCOPES as readonly string[]).includes(name) && !this.replica.index.isPermission(name),
    );
    if (scopes.length === 0 || unknown.length > 0) {
      const problem = scopes.length === 0 ? 'must name at least one scope' : `unknown scope ${unknown.join(', ')}`;
      throw new TesseraError('bad_request', `scope: ${problem}`, [{ field: 'scope', problems: [problem] }]);
    }
    return scopes;
  }
}

function requireUserCode(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new TesseraError('bad_request', 'user_code: required', [{ field: 'user_code', problems: ['required'] }]);
  return value;
}
