import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TokenIndexModule } from '@tessera/token-index';
import { BearerAuthGuard } from './bearer-auth.guard';
import { RevisionInterceptor } from './revision.interceptor';
import { TokenUseRecorder } from './token-use.recorder';

/** Gateway authentication: the token index replica, the guard, `lastUsedAt` batching, revision headers. */
@Global()
@Module({
  imports: [TokenIndexModule.forRoot({ reportRevision: true })],
  providers: [BearerAuthGuard, TokenUseRecorder, { provide: APP_INTERCEPTOR, useClass: RevisionInterceptor }],
  exports: [BearerAuthGuard, TokenUseRecorder, TokenIndexModule],
})
export class AuthModule {}
