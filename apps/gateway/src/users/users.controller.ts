import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IDENTITY_ADMIN_SUBJECTS, TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { Authenticated } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, MinRevision, type Caller } from '../auth/current-principal.decorator';
import { CreateServiceAccountDto, CreateUserDto, MintTokenDto, mintFields } from '../tokens/token.dto';
import { OptionalQuery } from '../openapi';
import { ListQueryDto, UsersQueryDto } from './list-query.dto';

/** Users, service accounts and the tokens a super admin mints for them, forwarded to their owning apps. */
@ApiTags('users')
@Controller('api/v1')
@Authenticated()
export class UsersController {
  constructor(private readonly client: TesseraClient) {}

  @Post('users')
  @ApiOperation({ summary: 'Register a user (super admin)' })
  create(@CurrentPrincipal() principal: Caller, @Body() body: CreateUserDto): Promise<unknown> {
    return this.client.request(IDENTITY_ADMIN_SUBJECTS.createUser, { ...body, principal });
  }

  @Get('users')
  @ApiOperation({ summary: 'List users (super admin)' })
  list(@CurrentPrincipal() principal: Caller, @Query() query: UsersQueryDto): Promise<unknown> {
    return this.client.request(IDENTITY_ADMIN_SUBJECTS.listUsers, {
      principal,
      limit: query.limit,
      cursor: query.cursor,
      q: query.q,
      serviceAccount: query.serviceAccount,
    });
  }

  @Get('users/:id')
  @ApiOperation({ summary: 'One user (super admin, or the user)' })
  get(@CurrentPrincipal() principal: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<unknown> {
    return this.client.request(IDENTITY_ADMIN_SUBJECTS.getUser, { principal, id });
  }

  @Get('users/:id/tokens')
  @ApiOperation({ summary: "A user's or service account's live tokens, masked (super admin; extension for the console)" })
  @OptionalQuery('limit', 'cursor')
  listTokens(
    @CurrentPrincipal() principal: Caller,
    @Param('id', new ParseUUIDPipe()) ownerId: string,
    @Query() query: ListQueryDto,
    @MinRevision() minRevision?: number,
  ): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.list, { principal, ownerId, limit: query.limit, cursor: query.cursor, minRevision });
  }

  @Post('users/:id/tokens')
  @ApiOperation({ summary: 'Mint an impersonation token for the user (super admin; audited with the admin as actor)' })
  impersonate(
    @CurrentPrincipal() principal: Caller,
    @Param('id', new ParseUUIDPipe()) ownerId: string,
    @Body() body: MintTokenDto,
    @MinRevision() minRevision?: number,
  ): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.mint, { ...mintFields(body), principal, kind: 'impersonation', ownerId, minRevision });
  }

  @Post('service-accounts')
  @ApiOperation({ summary: 'Create a service account (super admin)' })
  createServiceAccount(@CurrentPrincipal() principal: Caller, @Body() body: CreateServiceAccountDto): Promise<unknown> {
    return this.client.request(IDENTITY_ADMIN_SUBJECTS.createServiceAccount, { ...body, principal });
  }

  @Post('service-accounts/:id/tokens')
  @ApiOperation({ summary: 'Mint a tsrv_ token of the service account (super admin)' })
  mintServiceToken(
    @CurrentPrincipal() principal: Caller,
    @Param('id', new ParseUUIDPipe()) ownerId: string,
    @Body() body: MintTokenDto,
    @MinRevision() minRevision?: number,
  ): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.mint, { ...mintFields(body), principal, kind: 'service', ownerId, minRevision });
  }
}
