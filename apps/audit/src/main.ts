import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { AuditModule } from './audit.module';
import { AuditTables1763942400000 } from './migrations/1763942400000-audit-tables';
import { ReplayReplicas1764000000000 } from './migrations/1764000000000-replay-replicas';

void bootstrapNatsApp('audit', AuditModule, {
  migrations: [schemaMigration('audit'), AuditTables1763942400000, ReplayReplicas1764000000000],
});
