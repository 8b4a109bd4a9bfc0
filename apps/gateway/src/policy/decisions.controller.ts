import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OptionalQuery } from '../openapi';
import { POLICY_ADMIN_SUBJECTS as S } from '@tessera/contracts';
import { Authenticated, MinRevision } from '../auth';
import { BearerToken, PolicyForwarder } from './policy-forwarder';

/** Decisions for the caller: its datasets (its check and permissions are DecisionsRoutes). */
@ApiTags('policy')
@Authenticated()
@Controller('api/v1')
export class DecisionsController {
  constructor(private readonly policy: PolicyForwarder) {}

  @Get('me/datasets')
  @OptionalQuery('permission', 'limit', 'cursor')
  @ApiOperation({ summary: 'Datasets on which the caller holds `permission` (default view)' })
  myDatasets(
    @BearerToken() token: string,
    @MinRevision() min?: number,
    @Query('permission') permission?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.myDatasets, token, min, { permission, limit, cursor });
  }
}
