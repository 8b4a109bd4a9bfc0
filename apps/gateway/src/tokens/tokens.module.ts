import { Module } from '@nestjs/common';
import { TokensController } from './tokens.controller';

/** Personal tokens (CONTRACT section 3): mint, list, revoke, introspect, RFC 7009 revocation. */
@Module({ controllers: [TokensController] })
export class TokensModule {}
