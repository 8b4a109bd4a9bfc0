import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { AuditModule } from './audit.module';

void bootstrapNatsApp('audit', AuditModule, {
  migrations: [schemaMigration('audit')],
});
