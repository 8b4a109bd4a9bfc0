import { Injectable, type OnModuleInit } from '@nestjs/common';
import { POLICY_ADMIN_SUBJECTS as S, TesseraError, type CheckReply } from '@tessera/contracts';
import type { ServedAnswer } from '@tessera/messaging';
import { AuthenticatedRoutes, CallerAnswers, type AuthenticatedRequest } from '../auth';

/**
 * The caller's check and permissions, asked on nearly every request of a client, as plain Fastify
 * routes (AuthenticatedRoutes); its other decisions are DecisionsController's. Both subjects are
 * answered by the policy app outside Nest's RPC pipeline; the checks and permission reads of one
 * event-loop turn reach NATS and the policy app in one write. The permissions and allowed checks are
 * kept here until they may have changed (CallerAnswers).
 */
@Injectable()
export class DecisionsRoutes implements OnModuleInit {
  constructor(
    private readonly routes: AuthenticatedRoutes,
    private readonly answers: CallerAnswers,
  ) {}

  onModuleInit(): void {
    this.routes.get('/api/v1/check', (request, reply) => this.routes.sendServed(reply, this.check(request)));
    // The policy app's text is the body: forwarded as it came (or kept since), never parsed here.
    this.routes.get('/api/v1/me/permissions', (request, reply) =>
      this.routes.sendServed(reply, this.answers.answer(S.myPermissions, request)),
    );
  }

  /** 200 `{allowed, revision}`, or the refusal as the contract's error. */
  private check(request: AuthenticatedRequest): ServedAnswer | Promise<ServedAnswer> {
    // Each value a string, or undefined when absent (as Nest's ValidationPipe left a @Query() parameter).
    const query = request.query as Record<string, unknown>;
    const text = (name: string) => (query[name] === undefined ? undefined : String(query[name]));
    const permission = text('permission');
    if (!permission) throw new TesseraError('bad_request', 'permission is required', [{ field: 'permission', problems: ['is required'] }]);
    // The same lean subject any service uses, with the caller's own token.
    const question = { permission, dataset: text('dataset'), service: text('service'), table: text('table') };
    return this.answers.check(request, question, (reply) => refusal(reply, permission));
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
