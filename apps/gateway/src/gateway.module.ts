import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { HealthController } from './health/health.controller';
import { PolicyModule } from './policy/policy.module';
import { TokensModule } from './tokens/tokens.module';

@Module({
  imports: [AuthModule, PolicyModule, TokensModule],
  controllers: [HealthController],
})
export class GatewayModule {}
