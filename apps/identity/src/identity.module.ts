import { Module } from '@nestjs/common';
import { TokenIndexModule } from '@tessera/token-index';
import { LoginModule } from './login/login.module';
import { UsersController } from './users/users.controller';

@Module({
  imports: [TokenIndexModule.forRoot({ reportRevision: false, resolveCallers: true }), LoginModule],
  controllers: [UsersController],
})
export class IdentityModule {}
