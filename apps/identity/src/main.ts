import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { IdentityModule } from './identity.module';
import { Users1763900000000 } from './migrations/1763900000000-users';
import { Login1764000000000 } from './migrations/1764000000000-login';
import { LoginExpiryIndexes1765000000000 } from './migrations/1765000000000-login-expiry-indexes';
import { UserNumbers1766000000000 } from './migrations/1766000000000-user-numbers';
import { DeviceRequests1766100000000 } from './migrations/1766100000000-device-requests';
import { UnlinkedEmailIndex1766200000000 } from './migrations/1766200000000-unlinked-email-index';

void bootstrapNatsApp('identity', IdentityModule, {
  migrations: [
    schemaMigration('identity'),
    Users1763900000000,
    Login1764000000000,
    LoginExpiryIndexes1765000000000,
    UserNumbers1766000000000,
    DeviceRequests1766100000000,
    UnlinkedEmailIndex1766200000000,
  ],
  category: 'identity',
});
