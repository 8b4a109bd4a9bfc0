import { Module } from '@nestjs/common';
import { AdminTokensModule } from './admin-tokens/admin-tokens.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ConsoleModule } from './console/console.module';
import { CredentialsModule } from './credentials/credentials.module';
import { DeviceModule } from './device/device.module';
import { HealthModule } from './health/health.module';
import { LoginModule } from './login/login.module';
import { MiddleAuthModule } from './middle-auth/middle-auth.module';
import { PolicyModule } from './policy/policy.module';
import { ResourceTokensModule } from './resource-tokens/resource-tokens.module';
import { TokensModule } from './tokens/tokens.module';
import { TrustedAppsModule } from './trusted-apps/trusted-apps.module';
import { UsersModule } from './users/users.module';

/** One module per folder, each named by its domain. */
@Module({
  // In this order the OpenAPI document lists their routes.
  imports: [
    HealthModule,
    AuditModule,
    AuthModule,
    ConsoleModule,
    LoginModule,
    MiddleAuthModule,
    DeviceModule,
    TrustedAppsModule,
    CredentialsModule,
    PolicyModule,
    AdminTokensModule,
    TokensModule,
    ResourceTokensModule,
    UsersModule,
  ],
})
export class GatewayModule {}
