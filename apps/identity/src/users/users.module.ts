import { Module } from '@nestjs/common';
import { UserCommands } from './user-commands';
import { UsersController } from './users.controller';

/** Users and service accounts: their streams, decider and read model. */
@Module({
  controllers: [UsersController],
  providers: [UserCommands],
  exports: [UserCommands],
})
export class UsersModule {}
