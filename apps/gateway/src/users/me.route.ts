import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Principal } from '@tessera/contracts';
import { TokenIndexReplica } from '@tessera/token-index';
import { AuthenticatedRoutes } from '../auth/authenticated-routes';

/**
 * `GET /api/v1/me`, the hottest authenticated read, as a plain Fastify route (AuthenticatedRoutes):
 * the same guard and the same contract answers, without Nest's per-request pipeline.
 */
@Injectable()
export class MeRoute implements OnModuleInit {
  constructor(
    private readonly routes: AuthenticatedRoutes,
    private readonly replica: TokenIndexReplica,
  ) {}

  onModuleInit(): void {
    // X-Tessera-Revision comes from the RevisionHook, as for every answer carrying a revision.
    this.routes.get('/api/v1/me', (request) => meOf(request.principal, this.replica));
  }
}

/** The caller, from the gateway's own token index (it follows the identity events). */
export function meOf(principal: Principal, replica: TokenIndexReplica) {
  const revision = String(replica.position);
  const owner = principal.userId === undefined ? undefined : replica.index.owner(principal.userId);
  if (!owner) {
    return {
      id: null,
      name: 'admin token',
      email: null,
      admin: principal.superAdmin,
      serviceAccount: false,
      readOnly: false,
      groups: [],
      affiliations: [],
      revision,
    };
  }
  return {
    id: owner.id,
    name: owner.name,
    email: owner.email,
    admin: owner.admin,
    serviceAccount: owner.serviceAccount,
    readOnly: owner.readOnly,
    groups: replica.index.memberships.groupsOf(owner.id),
    affiliations: replica.index.memberships.affiliationsOf(owner.id),
    revision,
  };
}
