import { Module } from '@nestjs/common';
import { CredentialsController } from './credentials.controller';

/** Connected upstream providers and the token exchange (CONTRACT section 4). */
@Module({ controllers: [CredentialsController] })
export class CredentialsModule {}
