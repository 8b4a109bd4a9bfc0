import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ConsoleModule } from './console/console.module';
import { HealthController } from './health/health.controller';
import { LoginModule } from './login/login.module';
import { PolicyModule } from './policy/policy.module';
import { TokensModule } from './tokens/tokens.module';

@Module({
  imports: [AuditModule, AuthModule, ConsoleModule, LoginModule, PolicyModule, TokensModule],
  controllers: [HealthController],
})
export class GatewayModule {}
