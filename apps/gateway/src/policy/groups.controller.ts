import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OptionalQuery } from '../openapi';
import { POLICY_ADMIN_SUBJECTS as S } from '@tessera/contracts';
import { Authenticated, MinRevision } from '../auth';
import { CreateGroupDto, PutMemberDto } from './dtos/policy.dto';
import { BearerToken, PolicyForwarder } from './policy-forwarder';

const uuid = new ParseUUIDPipe();

@ApiTags('policy')
@Authenticated()
@Controller('api/v1/groups')
export class GroupsController {
  constructor(private readonly policy: PolicyForwarder) {}

  @Post()
  @ApiOperation({ summary: 'Create a group (super admin)' })
  create(@BearerToken() token: string, @Body() body: CreateGroupDto) {
    return this.policy.forward(S.createGroup, token, undefined, { name: body.name });
  }

  @Get()
  @OptionalQuery('limit', 'cursor')
  @ApiOperation({ summary: 'Groups the caller belongs to (all, for a super admin)' })
  list(@BearerToken() token: string, @MinRevision() min?: number, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.policy.forward(S.listGroups, token, min, { limit, cursor });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A group and its members (its members and admins, or a super admin)' })
  get(@BearerToken() token: string, @Param('id', uuid) groupId: string, @MinRevision() min?: number) {
    return this.policy.forward(S.getGroup, token, min, { groupId });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a group (super admin)' })
  delete(@BearerToken() token: string, @Param('id', uuid) groupId: string) {
    return this.policy.forward(S.deleteGroup, token, undefined, { groupId });
  }

  @Put(':id/members/:userId')
  @ApiOperation({ summary: 'Add a member or set its admin flag (group admin or super admin)' })
  putMember(
    @BearerToken() token: string,
    @Param('id', uuid) groupId: string,
    @Param('userId', uuid) userId: string,
    @Body() body: PutMemberDto,
  ) {
    return this.policy.forward(S.putMember, token, undefined, { groupId, userId, admin: body?.admin === true });
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member (group admin or super admin; only a super admin removes a group admin)' })
  removeMember(@BearerToken() token: string, @Param('id', uuid) groupId: string, @Param('userId', uuid) userId: string) {
    return this.policy.forward(S.removeMember, token, undefined, { groupId, userId });
  }
}
