import { Module } from '@nestjs/common';
import { MiddleAuthBrowserController } from './middle-auth-browser.controller';
import { MiddleAuthController } from './middle-auth.controller';
import { MiddleAuthUserController } from './middle-auth-user.controller';

/** The middle_auth-compatible routes of CONTRACT section 8, forwarded to the policy app over NATS. */
@Module({ controllers: [MiddleAuthUserController, MiddleAuthController, MiddleAuthBrowserController] })
export class MiddleAuthModule {}
