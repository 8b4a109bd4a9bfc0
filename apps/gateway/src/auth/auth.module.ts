import { Global, Module } from '@nestjs/common';
import { TokenIndexModule } from '@tessera/token-index';
import { AuthenticatedRoutes } from './authenticated-routes';
import { BearerAuthGuard } from './bearer-auth.guard';
import { RevisionHook } from './revision.hook';
import { TokenUseRecorder } from './token-use.recorder';

/** Gateway authentication: the token index replica, the guard, plain authenticated routes, `lastUsedAt` batching, revision headers. */
@Global()
@Module({
  imports: [TokenIndexModule.forRoot({ reportRevision: true })],
  providers: [BearerAuthGuard, TokenUseRecorder, RevisionHook, AuthenticatedRoutes],
  exports: [BearerAuthGuard, TokenUseRecorder, TokenIndexModule, AuthenticatedRoutes],
})
export class AuthModule {}
