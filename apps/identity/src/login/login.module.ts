import { Module } from '@nestjs/common';
import { CredentialCipher } from '../credentials/credential-cipher';
import { CredentialsController } from '../credentials/credentials.controller';
import { UpstreamCredentials } from '../credentials/upstream-credentials.service';
import { ExternalIdentities } from '../external-identities/external-identities.service';
import { TrustedAppsController } from '../trusted-apps/trusted-apps.controller';
import { UpstreamProvider } from '../upstream/upstream-provider.service';
import { UserAccountsController } from '../user-accounts/user-accounts.controller';
import { LoginController } from './login.controller';

/** Issue 4 in the identity app: trusted apps, the upstream provider (and the dev one), login state and codes, credentials, PATCH/DELETE users. */
@Module({
  controllers: [TrustedAppsController, LoginController, CredentialsController, UserAccountsController],
  providers: [UpstreamProvider, ExternalIdentities, UpstreamCredentials, CredentialCipher],
})
export class LoginModule {}
