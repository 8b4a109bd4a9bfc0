import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { PolicyNames1763900000000 } from './migrations/1763900000000-policy-names';
import { PolicyModule } from './policy.module';

void bootstrapNatsApp('policy', PolicyModule, {
  migrations: [schemaMigration('policy'), PolicyNames1763900000000],
  category: 'policy',
});
