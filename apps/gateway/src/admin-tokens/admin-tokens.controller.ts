import type { NatsConnection } from '@nats-io/transport-node';
import { Body, Controller, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';
import { NATS_CONNECTION } from '@tessera/platform';
import { AdminKeyDto } from '../tokens/token.dto';

/** Short-lived super-admin tokens from the admin key; the try limit is kept by the token app in PostgreSQL. */
@ApiTags('tokens')
@Controller('api/v1/admin/tokens')
export class AdminTokensController {
  constructor(@Inject(NATS_CONNECTION) private readonly nats: NatsConnection) {}

  @Post()
  @ApiOperation({ summary: 'Mint a super-admin token from TESSERA_ADMIN_KEY (10 tries a minute per client address)' })
  mint(@Body() body: AdminKeyDto, @Req() request: FastifyRequest): Promise<unknown> {
    return requestJson(this.nats, TOKEN_ADMIN_SUBJECTS.mintAdmin, { adminKey: body.adminKey, clientAddress: request.ip });
  }
}
