import { Module } from '@nestjs/common';
import { TrustedAppsController } from '../apps/trusted-apps.controller';
import { CredentialsController } from '../credentials/credentials.controller';
import { LoginController } from './login.controller';
import { LoginStrategy } from './login-strategy';

/** Issue 4 in the gateway: OAuth2 login (passport-oauth2), trusted apps, credentials and token exchange. */
@Module({
  controllers: [LoginController, TrustedAppsController, CredentialsController],
  providers: [LoginStrategy],
})
export class LoginModule {}
