import { Global, Module } from '@nestjs/common';
import { TokenIndexModule } from '@tessera/token-index';
import { AuthenticatedRoutes } from './authenticated-routes';
import { BearerAuthGuard } from './bearer-auth.guard';
import { CallerAnswers } from './caller-answers';
import { RevisionHook } from './revision.hook';
import { TokenUseRecorder } from './token-use.recorder';

/**
 * Gateway authentication: the token index replica, the guard, plain authenticated routes, the
 * caller's kept answers, `lastUsedAt` batching, revision headers.
 */
@Global()
@Module({
  imports: [TokenIndexModule.forRoot({ reportRevision: true })],
  providers: [BearerAuthGuard, TokenUseRecorder, RevisionHook, AuthenticatedRoutes, CallerAnswers],
  exports: [BearerAuthGuard, TokenUseRecorder, TokenIndexModule, AuthenticatedRoutes, CallerAnswers],
})
export class AuthModule {}
