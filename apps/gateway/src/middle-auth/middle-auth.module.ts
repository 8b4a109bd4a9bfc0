import { Module } from '@nestjs/common';
import { MiddleAuthBrowserController } from './middle-auth-browser.controller';
import { MiddleAuthController } from './middle-auth.controller';
import { MiddleAuthEnabledGuard } from './middle-auth-enabled.guard';
import { MiddleAuthUserController } from './middle-auth-user.controller';
import { UserCacheRoute } from './user-cache.route';

/** The middle_auth-compatible routes of CONTRACT section 8, forwarded to the policy app over NATS. */
@Module({
  controllers: [MiddleAuthUserController, MiddleAuthController, MiddleAuthBrowserController],
  providers: [MiddleAuthEnabledGuard, UserCacheRoute],
})
export class MiddleAuthModule {}
