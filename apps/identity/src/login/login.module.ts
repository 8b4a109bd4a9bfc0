import { Module } from '@nestjs/common';
import { CredentialCipher } from '../credentials/credential-cipher';
import { CredentialsController } from '../credentials/credentials.controller';
import { UpstreamCredentials } from '../credentials/upstream-credentials.service';
import { ExternalIdentities } from '../external-identities/external-identities.service';
import { TrustedAppsController } from '../trusted-apps/trusted-apps.controller';
import { UpstreamProvider } from '../upstream/upstream-provider.service';
import { UsersModule } from '../users/users.module';
import { DeviceAuthorizationController } from '../device-authorization/device-authorization.controller';
import { LoginController } from './login.controller';
import { LoginExpiryPurge } from './login-expiry.purge';
import { TokenExchange } from '../token-exchange/token-exchange.service';

/** Login: trusted apps, the upstream provider (and the dev one), login state and codes, upstream credentials. */
@Module({
  imports: [UsersModule],
  controllers: [TrustedAppsController, LoginController, CredentialsController, DeviceAuthorizationController],
  providers: [UpstreamProvider, ExternalIdentities, UpstreamCredentials, CredentialCipher, TokenExchange, LoginExpiryPurge],
})
export class LoginModule {}
