import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { OptionalQuery } from '../openapi';
import { POLICY_ADMIN_SUBJECTS as S, SUBJECTS, TesseraError, type CheckReply } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { Authenticated, MinRevision, type AuthenticatedRequest } from '../auth';
import { BearerToken, PolicyForwarder } from './policy-forwarder';

/** Decisions for the caller: check, its permissions, its datasets. */
@ApiTags('policy')
@Authenticated()
@Controller('api/v1')
export class DecisionsController {
  constructor(
    private readonly policy: PolicyForwarder,
    private readonly client: TesseraClient,
  ) {}

  @Get('check')
  @ApiOperation({ summary: 'May the caller do `permission` on a dataset (or a service table)? 200, or 403 with the reason' })
  // Bottom up: the document lists permission, dataset, service, table.
  @ApiQuery({ name: 'table', required: false, type: String, description: 'with service, instead of dataset' })
  @ApiQuery({ name: 'service', required: false, type: String, description: 'with table, instead of dataset' })
  @ApiQuery({ name: 'dataset', required: false, type: String, description: 'dataset id or name (or give service and table)' })
  @ApiQuery({ name: 'permission', required: true, type: String })
  async check(@Req() request: AuthenticatedRequest): Promise<{ allowed: true; revision: string }> {
    // Read from the request rather than as four @Query() parameters: Nest runs each parameter
    // through the global ValidationPipe in a chain of promises, a sixth of the gateway's cost of a
    // check. Each value is what that pipe made of it: a string, or undefined when absent.
    const query = request.query as Record<string, unknown>;
    const text = (name: string) => (query[name] === undefined ? undefined : String(query[name]));
    const permission = text('permission');
    if (!permission) throw new TesseraError('bad_request', 'permission is required', [{ field: 'permission', problems: ['is required'] }]);
    // The same lean subject any service uses, with the caller's own token: no Nest pipeline on the policy side.
    // Coalesced: the checks of one event-loop turn reach NATS and the policy app in one write.
    const reply = await this.client.request(
      SUBJECTS.policyCheck,
      {
        token: request.bearerToken,
        permission,
        dataset: text('dataset'),
        service: text('service'),
        table: text('table'),
        ...(request.minRevision !== undefined ? { minRevision: request.minRevision } : {}),
      },
      { coalesce: true },
    );
    if (reply.allowed) return { allowed: true, revision: reply.revision };
    throw refusal(reply, permission);
  }

  @Get('me/permissions')
  @ApiOperation({ summary: "The caller's permissions per dataset, with and without TOS, and what it administers" })
  myPermissions(@BearerToken() token: string, @MinRevision() min?: number) {
    return this.policy.forward(S.myPermissions, token, min, {});
  }

  @Get('me/datasets')
  @OptionalQuery('permission', 'limit', 'cursor')
  @ApiOperation({ summary: 'Datasets on which the caller holds `permission` (default view)' })
  myDatasets(
    @BearerToken() token: string,
    @MinRevision() min?: number,
    @Query('permission') permission?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.myDatasets, token, min, { permission, limit, cursor });
  }
}

/** A refused check as the contract's HTTP error: 404 for what does not exist, 403 for may-not, 401 for the token. */
function refusal(reply: CheckReply, permission: string): TesseraError {
  const revision = { revision: reply.revision };
  switch (reply.reason) {
    case 'unknown_dataset':
      return new TesseraError('not_found', 'dataset not found', undefined, revision);
    case 'unknown_table':
      return new TesseraError('not_found', 'servicetable not found', undefined, revision);
    case 'missing_tos':
      return new TesseraError('missing_tos', 'the terms of service of this dataset must be accepted first', undefined, {
        tos: reply.tos,
        ...revision,
      });
    case 'insufficient_scope':
      return new TesseraError('insufficient_scope', `this token's scopes do not include ${permission}`, undefined, revision);
    case 'invalid_token':
    case 'expired_token':
    case 'revoked_token':
      return new TesseraError(reply.reason, `the token is ${reply.reason.replace('_token', '')}`);
    default:
      return new TesseraError('missing_permission', `no ${permission} permission on this dataset`, undefined, revision);
  }
}
