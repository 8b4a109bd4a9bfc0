import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { IdentityModule } from './identity.module';
import { Users1763900000000 } from './migrations/1763900000000-users';

void bootstrapNatsApp('identity', IdentityModule, {
  migrations: [schemaMigration('identity'), Users1763900000000],
  category: 'identity',
});
