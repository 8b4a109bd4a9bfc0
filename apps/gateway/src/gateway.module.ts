import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { HealthController } from './health/health.controller';
import { PolicyModule } from './policy/policy.module';

@Module({
  imports: [AuthModule, PolicyModule],
  controllers: [HealthController],
})
export class GatewayModule {}
