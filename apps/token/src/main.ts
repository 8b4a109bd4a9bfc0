import { bootstrapNatsApp, schemaMigration } from '@tessera/platform';
import { TokenModule } from './token.module';

void bootstrapNatsApp('token', TokenModule, {
  migrations: [schemaMigration('token')],
  category: 'token',
});
