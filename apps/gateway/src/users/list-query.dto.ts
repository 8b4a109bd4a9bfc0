import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `?limit=&cursor=` of every list, plus the query parameters the auth guard reads. */
export class ListQueryDto {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @IsString() cursor?: string;
  @IsOptional() @IsString() minRevision?: string;
  @IsOptional() @IsString() middle_auth_token?: string;
}

/** `GET /api/v1/users`: a list, narrowed by a search and by kind (extensions for the console). */
export class UsersQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'part of the name or e-mail, any case' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only service accounts; false: only people' })
  @IsOptional()
  @IsIn(['true', 'false'])
  serviceAccount?: 'true' | 'false';
}
