import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { REPLAYABLE_PROJECTIONS } from '@tessera/contracts';

const POSITION = /^\d{1,15}$/;

/** The query parameters the auth guard reads itself, accepted on every audit route. */
class AuthQuery {
  @IsOptional() @IsString() minRevision?: string;
  @IsOptional() @IsString() middle_auth_token?: string;
}

export class AuditEventsQueryDto extends AuthQuery {
  @ApiPropertyOptional({ example: 'PermissionGranted' }) @IsOptional() @IsString() type?: string;
  @ApiPropertyOptional({ example: 'group-4f0c…' }) @IsOptional() @IsString() streamId?: string;
  @ApiPropertyOptional({ description: 'user id in the metadata of the event' }) @IsOptional() @IsString() actor?: string;
  @ApiPropertyOptional({ description: 'events about this user (data.userId or its stream)' }) @IsOptional() @IsString() user?: string;
  @ApiPropertyOptional({ description: 'events about this dataset, by id or name' }) @IsOptional() @IsString() dataset?: string;
  @ApiPropertyOptional({ description: 'recordedAt ≥ from (ISO 8601)' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'recordedAt < to (ISO 8601)' }) @IsOptional() @IsISO8601() to?: string;
  @ApiPropertyOptional({ description: 'position > after' })
  @IsOptional()
  @Matches(POSITION, { message: 'after must be a position' })
  after?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional() @IsOptional() @Matches(POSITION, { message: 'cursor must be a nextCursor' }) cursor?: string;
}

export class AuditExportQueryDto extends AuthQuery {
  @ApiPropertyOptional({ description: 'recordedAt ≥ from (ISO 8601)' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'recordedAt < to (ISO 8601)' }) @IsOptional() @IsISO8601() to?: string;
  @ApiPropertyOptional({ description: 'position > after: resumes an export from the last line received' })
  @IsOptional()
  @Matches(POSITION, { message: 'after must be a position' })
  after?: string;
}

export class AuditAccessQueryDto extends AuthQuery {
  @ApiPropertyOptional({ description: 'dataset id or name (give this or user)' }) @IsOptional() @IsString() dataset?: string;
  @ApiPropertyOptional({ description: 'user id (give this or dataset)' }) @IsOptional() @IsString() user?: string;
  @ApiProperty({ example: '2026-03-03T12:00:00Z' }) @IsISO8601() at: string;
}

export class AuditAccessIntervalsQueryDto extends AuthQuery {
  @ApiProperty({ description: 'dataset id or name' }) @IsString() dataset: string;
  @ApiProperty({ example: '2026-03-01T00:00:00Z' }) @IsISO8601() from: string;
  @ApiProperty({ example: '2026-04-01T00:00:00Z' }) @IsISO8601() to: string;
}

export class ReplayDto {
  @ApiProperty({ enum: REPLAYABLE_PROJECTIONS, example: 'audit-access' })
  @IsString()
  @IsIn(REPLAYABLE_PROJECTIONS)
  projection: string;
}
