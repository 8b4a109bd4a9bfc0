import { Module } from '@nestjs/common';
import { AdminTokensController } from './admin-tokens.controller';

/** Admin tokens from the admin key (CONTRACT section 3). */
@Module({ controllers: [AdminTokensController] })
export class AdminTokensModule {}
