import { Module } from '@nestjs/common';
import { TrustedAppsController } from '../apps/trusted-apps.controller';
import { CredentialsController } from '../credentials/credentials.controller';
import { UserAccountsController } from '../user-accounts/user-accounts.controller';
import { LoginController } from './login.controller';
import { LoginStrategy } from './login-strategy';

/** Issue 4 in the gateway: OAuth2 login (passport-oauth2), trusted apps, credentials and token exchange, PATCH/DELETE users. */
@Module({
  controllers: [LoginController, TrustedAppsController, CredentialsController, UserAccountsController],
  providers: [LoginStrategy],
})
export class LoginModule {}
