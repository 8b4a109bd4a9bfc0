import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { IdentityModule } from './identity.module';

void bootstrapNatsApp('identity', IdentityModule, {
  migrations: [schemaMigration('identity')],
  category: 'identity',
});
