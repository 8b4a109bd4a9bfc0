import { Module } from '@nestjs/common';
import { TokenIndexModule } from '@tessera/token-index';
import { AdminTokensController } from './admin-tokens/admin-tokens.controller';
import { IntrospectionController } from './introspection/introspection.controller';
import { LastUsedController } from './last-used/last-used.controller';
import { PersonalTokensController } from './personal-tokens/personal-tokens.controller';
import { SessionTokensController } from './sessions/session-tokens.controller';
import { TokenIndexReplay } from './replay/token-index.replay';
import { TokenCommands } from './tokens/token-commands';
import { UserDeactivationReactor } from './user-revocation/user-deactivation.reactor';
import { UserTokenRevocationController } from './user-revocation/user-token-revocation.controller';
import { UserTokensRevoker } from './user-revocation/user-tokens.revoker';

/** How often the token app snapshots its index, when at least this many events came since the last one. */
const SNAPSHOTS = { everyMs: 60_000, minEvents: 10_000 };

@Module({
  imports: [TokenIndexModule.forRoot({ snapshots: SNAPSHOTS, reportRevision: true, resolveCallers: true })],
  controllers: [
    AdminTokensController,
    PersonalTokensController,
    IntrospectionController,
    SessionTokensController,
    LastUsedController,
    UserTokenRevocationController,
  ],
  providers: [TokenCommands, TokenIndexReplay, UserTokensRevoker, UserDeactivationReactor],
})
export class TokenModule {}
