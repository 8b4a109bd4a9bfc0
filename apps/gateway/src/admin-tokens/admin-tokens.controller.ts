import { Body, Controller, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { AdminKeyDto } from '../tokens/token.dto';

/** Short-lived super-admin tokens from the admin key; the try limit is kept by the token app in PostgreSQL. */
@ApiTags('tokens')
@Controller('api/v1/admin/tokens')
export class AdminTokensController {
  constructor(private readonly client: TesseraClient) {}

  @Post()
  @ApiOperation({ summary: 'Mint a super-admin token from TESSERA_ADMIN_KEY (10 tries a minute per client address)' })
  mint(@Body() body: AdminKeyDto, @Req() request: FastifyRequest): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.mintAdmin, { adminKey: body.adminKey, clientAddress: request.ip });
  }
}
