import { Module } from '@nestjs/common';
import { MiddleAuthController } from './middle-auth.controller';

/** The middle_auth-compatible routes of CONTRACT section 8, forwarded to the policy app over NATS. */
@Module({ controllers: [MiddleAuthController] })
export class MiddleAuthModule {}
