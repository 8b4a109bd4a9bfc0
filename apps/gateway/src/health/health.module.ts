import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** `/healthz` and `/readyz` (CONTRACT section 1). */
@Module({ controllers: [HealthController] })
export class HealthModule {}
