import { Body, Controller, Post } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { RateLimited } from '../rate-limits/rate-limits';
import { AdminKeyDto } from '../tokens/token.dto';

/** Short-lived super-admin tokens from the admin key; the try limit is the gateway's (shared by its replicas). */
@ApiTags('tokens')
@Controller('api/v1/admin/tokens')
export class AdminTokensController {
  constructor(private readonly client: TesseraClient) {}

  @Post()
  @RateLimited('admin-key')
  @ApiOperation({ summary: 'Mint a super-admin token from TESSERA_ADMIN_KEY (10 tries a minute per client address)' })
  @ApiTooManyRequestsResponse({ description: 'rate_limited, with Retry-After' })
  mint(@Body() body: AdminKeyDto): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.mintAdmin, { adminKey: body.adminKey });
  }
}
