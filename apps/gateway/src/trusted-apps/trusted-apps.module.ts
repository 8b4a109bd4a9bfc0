import { Module } from '@nestjs/common';
import { TrustedAppsController } from './trusted-apps.controller';

/** Trusted application URLs, where tokens may be sent (CONTRACT section 4). */
@Module({ controllers: [TrustedAppsController] })
export class TrustedAppsModule {}
