import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  AUDIT_SUBJECTS,
  requireSuperAdmin,
  type AuditAccessIntervals,
  type AuditDatasetAccess,
  type AuditEventsPage,
  type AuditUserAccess,
  type ReplayJob,
} from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { Authenticated } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, MinRevision, type Caller } from '../auth/current-principal.decorator';
import { AuditAccessIntervalsQueryDto, AuditAccessQueryDto, AuditEventsQueryDto, AuditExportQueryDto, ReplayDto } from './audit.dto';
import { exportLog } from './log-export';

/** Super admins only: an admin token, or an admin user's token carrying the `admin` scope. */
const AUDIT_ONLY = 'the audit log is for super admins only';

/** CONTRACT section 7, forwarded to the audit app; the export streams the pages the audit app reads. */
@ApiTags('audit')
@Controller('api/v1/audit')
@Authenticated()
export class AuditController {
  constructor(private readonly client: TesseraClient) {}

  @Get('events')
  @ApiOperation({ summary: 'The event log, filtered, in position order, cursor-paginated (super admin)' })
  events(@CurrentPrincipal() principal: Caller, @Query() query: AuditEventsQueryDto): Promise<AuditEventsPage> {
    requireSuperAdmin(principal, AUDIT_ONLY);
    const { minRevision: _minRevision, middle_auth_token: _token, ...filters } = query;
    return this.client.request(AUDIT_SUBJECTS.events, filters);
  }

  @Get('access')
  @ApiOperation({ summary: 'Who held which permission on a dataset, or what a user held, at a moment (super admin)' })
  access(
    @CurrentPrincipal() principal: Caller,
    @Query() query: AuditAccessQueryDto,
    @MinRevision() minRevision?: number,
  ): Promise<AuditDatasetAccess | AuditUserAccess> {
    requireSuperAdmin(principal, AUDIT_ONLY);
    return this.client.request(AUDIT_SUBJECTS.access, { dataset: query.dataset, user: query.user, at: query.at, minRevision });
  }

  @Get('access/intervals')
  @ApiOperation({
    summary: "Each user's access intervals to a dataset over [from, to), by the rules of /audit/access (super admin; extension)",
  })
  accessIntervals(
    @CurrentPrincipal() principal: Caller,
    @Query() query: AuditAccessIntervalsQueryDto,
    @MinRevision() minRevision?: number,
  ): Promise<AuditAccessIntervals> {
    requireSuperAdmin(principal, AUDIT_ONLY);
    return this.client.request(AUDIT_SUBJECTS.accessIntervals, { dataset: query.dataset, from: query.from, to: query.to, minRevision });
  }

  @Get('export')
  @ApiOperation({ summary: 'The log as NDJSON, one event a line, streamed (super admin)' })
  @ApiProduces('application/x-ndjson')
  export(@CurrentPrincipal() principal: Caller, @Query() query: AuditExportQueryDto, @Res() reply: FastifyReply): void {
    requireSuperAdmin(principal, AUDIT_ONLY);
    void reply
      .header('Content-Type', 'application/x-ndjson; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send(exportLog(this.client.nats, { from: query.from, to: query.to, after: query.after }));
  }

  @Post('replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rebuild a projection from the log into a fresh copy, swapped in once caught up (super admin)' })
  replay(@CurrentPrincipal() principal: Caller, @Body() body: ReplayDto): Promise<{ jobId: string }> {
    requireSuperAdmin(principal, AUDIT_ONLY);
    return this.client.request(AUDIT_SUBJECTS.replayStart, { projection: body.projection });
  }

  @Get('replay/:jobId')
  @ApiOperation({ summary: 'Progress of a replay job (super admin)' })
  replayStatus(@CurrentPrincipal() principal: Caller, @Param('jobId', new ParseUUIDPipe()) jobId: string): Promise<ReplayJob> {
    requireSuperAdmin(principal, AUDIT_ONLY);
    return this.client.request(AUDIT_SUBJECTS.replayStatus, { jobId });
  }
}
