import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TesseraError, TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { TesseraClient } from '@tessera/messaging';
import { authorizeResourceAction } from '@tessera/token-index';
import { Authenticated } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, MinRevision, type Caller } from '../auth/current-principal.decorator';
import { AuthorizeDto, ResourceTokenDto, resourceTokenFields } from '../tokens/token.dto';

/** Resource tokens and the resource-action check (answered from the gateway's own token index). */
@ApiTags('tokens')
@Controller('api/v1')
export class ResourceTokensController {
  constructor(
    private readonly client: TesseraClient,
    private readonly config: TesseraConfig,
  ) {}

  @Post('resource-tokens')
  @Authenticated()
  @ApiOperation({ summary: 'Mint a token for one resource and its actions (service account with scope resource-tokens, or super admin)' })
  mint(@CurrentPrincipal() principal: Caller, @Body() body: ResourceTokenDto, @MinRevision() minRevision?: number): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.mint, { ...resourceTokenFields(body), principal, kind: 'resource', minRevision });
  }

  @Post('authorize')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'May this bearer perform this action on this resource? 200 or 403' })
  authorize(@CurrentPrincipal() principal: Caller, @Body() body: AuthorizeDto): { allowed: true; reason: string } {
    const decision = authorizeResourceAction(principal, body.resource, body.action, this.config.TESSERA_PRIVILEGED_ACTIONS);
    if (!decision.allowed) {
      // A super admin's long-lived token lacks the one thing a privileged action needs: to be an admin token.
      const code = decision.reason === 'needs_admin_token' ? 'insufficient_scope' : 'missing_permission';
      throw new TesseraError(code, `this token may not ${body.action} ${body.resource} (${decision.reason})`, undefined, {
        reason: decision.reason,
      });
    }
    return { allowed: true, reason: decision.reason };
  }
}
