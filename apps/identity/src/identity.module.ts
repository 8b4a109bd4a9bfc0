import { Module } from '@nestjs/common';
import { LoginModule } from './login/login.module';
import { UsersController } from './users/users.controller';

@Module({
  imports: [LoginModule],
  controllers: [UsersController],
})
export class IdentityModule {}
