import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MIDDLE_AUTH_SUBJECTS as M } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { AuthenticatedRoutes, minRevisionOf } from '../auth';
import { MiddleAuthEnabledGuard } from './middle-auth-enabled.guard';

/**
 * middle_auth's `GET /user/cache`, which middle_auth_client asks on every request it guards, as a
 * plain Fastify route (AuthenticatedRoutes): the policy app's text of the object is the body,
 * forwarded as it came. A 404 before the token is looked at when the middle_auth routes are off.
 */
@Injectable()
export class UserCacheRoute implements OnModuleInit {
  constructor(
    private readonly routes: AuthenticatedRoutes,
    private readonly client: TesseraClient,
    private readonly enabled: MiddleAuthEnabledGuard,
  ) {}

  onModuleInit(): void {
    this.routes.get(
      '/auth/api/v1/user/cache',
      async (request, reply) =>
        this.routes.sendServed(
          reply,
          await this.client.requestServed(M.userCache, { token: request.bearerToken, ...minRevisionOf(request) }, { coalesce: true }),
        ),
      () => this.enabled.canActivate(),
    );
  }
}
