import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OptionalQuery } from '../openapi';
import { POLICY_ADMIN_SUBJECTS as S } from '@tessera/contracts';
import { Authenticated, MinRevision } from '../auth';
import { CreateDatasetDto, PublishTosDto, PutGrantDto, UpdateDatasetDto } from './dtos/policy.dto';
import { BearerToken, PolicyForwarder } from './policy-forwarder';

const uuid = new ParseUUIDPipe();

@ApiTags('policy')
@Authenticated()
@Controller('api/v1/datasets')
export class DatasetsController {
  constructor(private readonly policy: PolicyForwarder) {}

  @Post()
  @ApiOperation({ summary: 'Create a dataset (super admin); names are unique' })
  create(@BearerToken() token: string, @Body() body: CreateDatasetDto) {
    return this.policy.forward(S.createDataset, token, undefined, { name: body.name, description: body.description });
  }

  @Get()
  @OptionalQuery('limit', 'cursor')
  @ApiOperation({ summary: 'Datasets the caller administers (all, for a super admin)' })
  list(@BearerToken() token: string, @MinRevision() min?: number, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.policy.forward(S.listDatasets, token, min, { limit, cursor });
  }

  @Get(':id')
  get(@BearerToken() token: string, @Param('id', uuid) datasetId: string, @MinRevision() min?: number) {
    return this.policy.forward(S.getDataset, token, min, { datasetId });
  }

  @Patch(':id')
  update(@BearerToken() token: string, @Param('id', uuid) datasetId: string, @Body() body: UpdateDatasetDto) {
    return this.policy.forward(S.updateDataset, token, undefined, { datasetId, name: body.name, description: body.description });
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@BearerToken() token: string, @Param('id', uuid) datasetId: string) {
    return this.policy.forward(S.deleteDataset, token, undefined, { datasetId });
  }

  @Put(':id/admins/:userId')
  @ApiOperation({ summary: 'Make a user an admin of this dataset (super admin)' })
  putAdmin(@BearerToken() token: string, @Param('id', uuid) datasetId: string, @Param('userId', uuid) userId: string) {
    return this.policy.forward(S.putDatasetAdmin, token, undefined, { datasetId, userId });
  }

  @Delete(':id/admins/:userId')
  @HttpCode(204)
  removeAdmin(@BearerToken() token: string, @Param('id', uuid) datasetId: string, @Param('userId', uuid) userId: string) {
    return this.policy.forward(S.removeDatasetAdmin, token, undefined, { datasetId, userId });
  }

  @Put(':id/grants/:groupId/:permission')
  @ApiOperation({ summary: 'A group holds a permission on this dataset, optionally until expiresAt (dataset admin or super admin)' })
  putGrant(
    @BearerToken() token: string,
    @Param('id', uuid) datasetId: string,
    @Param('groupId', uuid) groupId: string,
    @Param('permission') permission: string,
    @Body() body: PutGrantDto,
  ) {
    return this.policy.forward(S.putGrant, token, undefined, { datasetId, groupId, permission, expiresAt: body?.expiresAt });
  }

  @Delete(':id/grants/:groupId/:permission')
  @HttpCode(204)
  revokeGrant(
    @BearerToken() token: string,
    @Param('id', uuid) datasetId: string,
    @Param('groupId', uuid) groupId: string,
    @Param('permission') permission: string,
  ) {
    return this.policy.forward(S.revokeGrant, token, undefined, { datasetId, groupId, permission });
  }

  @Get(':id/grants')
  @OptionalQuery('limit', 'cursor')
  listGrants(
    @BearerToken() token: string,
    @Param('id', uuid) datasetId: string,
    @MinRevision() min?: number,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.listGrants, token, min, { datasetId, limit, cursor });
  }

  @Post(':id/tos')
  @ApiOperation({ summary: 'Publish a new terms-of-service version; users must accept it again (dataset admin)' })
  publishTos(@BearerToken() token: string, @Param('id', uuid) datasetId: string, @Body() body: PublishTosDto) {
    return this.policy.forward(S.publishTos, token, undefined, { datasetId, title: body.title, text: body.text });
  }

  @Get(':id/tos')
  @OptionalQuery('limit', 'cursor')
  @ApiOperation({ summary: 'Terms-of-service versions of this dataset, newest first' })
  listTos(
    @BearerToken() token: string,
    @Param('id', uuid) datasetId: string,
    @MinRevision() min?: number,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.listTos, token, min, { datasetId, limit, cursor });
  }

  @Get(':id/users')
  @OptionalQuery('permission', 'limit', 'cursor')
  @ApiOperation({ summary: 'Users holding a permission on this dataset (dataset admin or super admin)' })
  users(
    @BearerToken() token: string,
    @Param('id', uuid) datasetId: string,
    @MinRevision() min?: number,
    @Query('permission') permission?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.datasetUsers, token, min, { datasetId, permission, limit, cursor });
  }
}
