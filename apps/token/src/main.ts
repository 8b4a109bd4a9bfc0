import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { TokenTables1763900000000 } from './migrations/1763900000000-token-tables';
import { TokenModule } from './token.module';

void bootstrapNatsApp('token', TokenModule, {
  migrations: [schemaMigration('token'), TokenTables1763900000000],
  category: 'token',
});
