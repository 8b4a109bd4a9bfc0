import { Module } from '@nestjs/common';
import { MeRoute } from './me.route';
import { UserAccountsController } from './user-accounts.controller';
import { UsersController } from './users.controller';

/** Users and service accounts (CONTRACT sections 3 and 4): `/api/v1/me`, the user list, changes, deactivation, their tokens. */
@Module({
  controllers: [UsersController, UserAccountsController],
  providers: [MeRoute],
})
export class UsersModule {}
