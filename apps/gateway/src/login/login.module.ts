import { Module } from '@nestjs/common';
import { LoginController } from './login.controller';
import { LoginStrategy } from './login-strategy';

/** OAuth2 login through the upstream provider (passport-oauth2), one-time codes, popups, logout (CONTRACT section 4). */
@Module({
  controllers: [LoginController],
  providers: [LoginStrategy],
})
export class LoginModule {}
