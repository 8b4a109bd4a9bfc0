import { Module } from '@nestjs/common';
import { ResourceTokensController } from './resource-tokens.controller';

/** Resource tokens and resource authorization (CONTRACT section 3). */
@Module({ controllers: [ResourceTokensController] })
export class ResourceTokensModule {}
