import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** `?limit=&cursor=` of every list, plus the query parameters the auth guard reads. */
export class ListQueryDto {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @IsString() cursor?: string;
  @IsOptional() @IsString() minRevision?: string;
  @IsOptional() @IsString() middle_auth_token?: string;
}
