import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { PolicyModule } from './policy.module';

void bootstrapNatsApp('policy', PolicyModule, {
  migrations: [schemaMigration('policy')],
  category: 'policy',
});
