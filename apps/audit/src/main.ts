import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { AuditModule } from './audit.module';
import { AuditTables1763942400000 } from './migrations/audit-tables.migration';
import { ReplayReplicas1764000000000 } from './migrations/replay-replicas.migration';

void bootstrapNatsApp('audit', AuditModule, {
  migrations: [schemaMigration('audit'), AuditTables1763942400000, ReplayReplicas1764000000000],
});
