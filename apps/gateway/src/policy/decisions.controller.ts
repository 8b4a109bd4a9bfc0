import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { POLICY_ADMIN_SUBJECTS as S, type Principal } from '@tessera/contracts';
import { Authenticated, CurrentPrincipal, MinRevision } from '../auth';
import { PolicyForwarder } from './policy-forwarder';

/** Decisions for the caller: check, its permissions, its datasets. */
@ApiTags('policy')
@Authenticated()
@Controller('api/v1')
export class DecisionsController {
  constructor(private readonly policy: PolicyForwarder) {}

  @Get('check')
  @ApiOperation({ summary: 'May the caller do `permission` on a dataset (or a service table)? 200, or 403 with the reason' })
  check(
    @CurrentPrincipal() principal: Principal,
    @MinRevision() min?: number,
    @Query('permission') permission?: string,
    @Query('dataset') dataset?: string,
    @Query('service') service?: string,
    @Query('table') table?: string,
  ) {
    return this.policy.forward(S.check, principal, min, { permission, dataset, service, table });
  }

  @Get('me/permissions')
  @ApiOperation({ summary: "The caller's permissions per dataset, with and without TOS, and what it administers" })
  myPermissions(@CurrentPrincipal() principal: Principal, @MinRevision() min?: number) {
    return this.policy.forward(S.myPermissions, principal, min);
  }

  @Get('me/datasets')
  @ApiOperation({ summary: 'Datasets on which the caller holds `permission` (default view)' })
  myDatasets(
    @CurrentPrincipal() principal: Principal,
    @MinRevision() min?: number,
    @Query('permission') permission?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.policy.forward(S.myDatasets, principal, min, { permission, limit, cursor });
  }
}
