import { Module } from '@nestjs/common';
import { tablesReplay } from '@tessera/platform';
import { TokenIndexModule } from '@tessera/token-index';
import { IDENTITY_READ_MODELS } from './read-models/identity-read-models';
import { LoginModule } from './login/login.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [TokenIndexModule.forRoot({ reportRevision: false, resolveCallers: true }), UsersModule, LoginModule],
  providers: [tablesReplay('identity-read-models', 'identity', IDENTITY_READ_MODELS)],
})
export class IdentityModule {}
