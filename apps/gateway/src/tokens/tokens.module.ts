import { Module } from '@nestjs/common';
import { AdminTokensController } from '../admin-tokens/admin-tokens.controller';
import { ResourceTokensController } from '../resource-tokens/resource-tokens.controller';
import { MeRoute } from '../users/me.route';
import { UsersController } from '../users/users.controller';
import { TokensController } from './tokens.controller';

/** The token and identity REST endpoints of issue 3. */
@Module({
  controllers: [AdminTokensController, TokensController, ResourceTokensController, UsersController],
  providers: [MeRoute],
})
export class TokensModule {}
