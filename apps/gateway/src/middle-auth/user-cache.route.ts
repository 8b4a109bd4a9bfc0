import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MIDDLE_AUTH_SUBJECTS as M } from '@tessera/contracts';
import { AuthenticatedRoutes, CallerAnswers } from '../auth';
import { MiddleAuthEnabledGuard } from './middle-auth-enabled.guard';

/**
 * middle_auth's `GET /user/cache`, which middle_auth_client asks on every request it guards, as a
 * plain Fastify route (AuthenticatedRoutes): the policy app's text of the object is the body,
 * forwarded as it came, or kept by CallerAnswers since it was. A 404 before the token is looked at
 * when the middle_auth routes are off.
 */
@Injectable()
export class UserCacheRoute implements OnModuleInit {
  constructor(
    private readonly routes: AuthenticatedRoutes,
    private readonly answers: CallerAnswers,
    private readonly enabled: MiddleAuthEnabledGuard,
  ) {}

  onModuleInit(): void {
    this.routes.get(
      '/auth/api/v1/user/cache',
      (request, reply) => this.routes.sendServed(reply, this.answers.answer(M.userCache, request)),
      () => this.enabled.canActivate(),
    );
  }
}
