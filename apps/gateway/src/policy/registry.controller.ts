import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { OptionalQuery } from '../openapi';
import { POLICY_ADMIN_SUBJECTS as S } from '@tessera/contracts';
import { Authenticated, MinRevision } from '../auth';
import { CreateAffiliationDto, PutServiceTableDto, PutUserAffiliationDto, RegisterPermissionDto } from './dtos/policy.dto';
import { BearerToken, PolicyForwarder } from './policy-forwarder';

const uuid = new ParseUUIDPipe();

/** The permission registry, servicetables, TOS acceptance and affiliations. */
@ApiTags('policy')
@Authenticated()
@Controller('api/v1')
export class RegistryController {
  constructor(private readonly policy: PolicyForwarder) {}

  @Get('permissions')
  @OptionalQuery('limit', 'cursor')
  listPermissions(
    @BearerToken() token: string,
    @MinRevision() min?: number,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.listPermissions, token, min, { limit, cursor });
  }

  @Post('permissions')
  @ApiOperation({ summary: 'Register a permission name (super admin): lowercase words joined by underscores' })
  registerPermission(@BearerToken() token: string, @Body() body: RegisterPermissionDto) {
    return this.policy.forward(S.registerPermission, token, undefined, { name: body.name });
  }

  @Get('servicetables')
  @ApiQuery({ name: 'service', required: false, description: 'only the tables of this service' })
  @OptionalQuery('limit', 'cursor')
  listServiceTables(
    @BearerToken() token: string,
    @MinRevision() min?: number,
    @Query('service') service?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.listServiceTables, token, min, { service, limit, cursor });
  }

  @Get('servicetables/:service/:table')
  getServiceTable(
    @BearerToken() token: string,
    @Param('service') service: string,
    @Param('table') table: string,
    @MinRevision() min?: number,
  ) {
    return this.policy.forward(S.getServiceTable, token, min, { service, table });
  }

  @Put('servicetables/:service/:table')
  @ApiOperation({ summary: "Map a service's table to a dataset (super admin)" })
  putServiceTable(
    @BearerToken() token: string,
    @Param('service') service: string,
    @Param('table') table: string,
    @Body() body: PutServiceTableDto,
  ) {
    return this.policy.forward(S.putServiceTable, token, undefined, { service, table, dataset: body.dataset });
  }

  @Delete('servicetables/:service/:table')
  @HttpCode(204)
  deleteServiceTable(@BearerToken() token: string, @Param('service') service: string, @Param('table') table: string) {
    return this.policy.forward(S.deleteServiceTable, token, undefined, { service, table });
  }

  @Post('tos/:tosId/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept one terms-of-service version' })
  acceptTos(@BearerToken() token: string, @Param('tosId', uuid) tosId: string) {
    return this.policy.forward(S.acceptTos, token, undefined, { tosId });
  }

  @Post('affiliations')
  @ApiOperation({ summary: 'Create an institution (super admin)' })
  createAffiliation(@BearerToken() token: string, @Body() body: CreateAffiliationDto) {
    return this.policy.forward(S.createAffiliation, token, undefined, { ...body });
  }

  @Get('affiliations')
  @ApiOperation({ summary: 'The institutions, by name (super admin; extension for the console)' })
  listAffiliations(
    @BearerToken() token: string,
    @MinRevision() min?: number,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.listAffiliations, token, min, { limit, cursor });
  }

  @Put('users/:id/affiliations/:affiliationId')
  @ApiOperation({ summary: "Set a user's affiliation with its start and optional end (super admin)" })
  putUserAffiliation(
    @BearerToken() token: string,
    @Param('id', uuid) userId: string,
    @Param('affiliationId', uuid) affiliationId: string,
    @Body() body: PutUserAffiliationDto,
  ) {
    return this.policy.forward(S.putUserAffiliation, token, undefined, {
      userId,
      affiliationId,
      start: body.start,
      end: body.end ?? null,
    });
  }

  @Get('users/:id/affiliations')
  @OptionalQuery('limit', 'cursor')
  listUserAffiliations(
    @BearerToken() token: string,
    @Param('id', uuid) userId: string,
    @MinRevision() min?: number,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.listUserAffiliations, token, min, { userId, limit, cursor });
  }
}
