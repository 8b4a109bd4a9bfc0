import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { TokenTables1763900000000 } from './migrations/1763900000000-token-tables';
import { DropAdminKeyAttempts1765000000000 } from './migrations/1765000000000-drop-admin-key-attempts';
import { TokenModule } from './token.module';

void bootstrapNatsApp('token', TokenModule, {
  migrations: [schemaMigration('token'), TokenTables1763900000000, DropAdminKeyAttempts1765000000000],
  category: 'token',
});
