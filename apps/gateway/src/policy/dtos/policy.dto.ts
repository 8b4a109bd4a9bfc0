import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsISO8601, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PERMISSION_NAME_PATTERN } from '@tessera/contracts';
import { OptionalField } from '../../http/optional-field';

export class CreateGroupDto {
  @ApiProperty({ example: 'lab' })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class PutMemberDto {
  @ApiPropertyOptional({ description: 'Group admin: manages the members of this group' })
  @OptionalField()
  @IsBoolean()
  admin?: boolean;
}

export class CreateDatasetDto {
  @ApiProperty({ example: 'minnie65' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional()
  @OptionalField()
  @IsString()
  @MaxLength(4000)
  description?: string;
}

export class UpdateDatasetDto {
  @ApiPropertyOptional()
  @OptionalField()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @OptionalField()
  @IsString()
  @MaxLength(4000)
  description?: string;
}

export class RegisterPermissionDto {
  @ApiProperty({ example: 'annotate', description: 'Lowercase words joined by underscores' })
  @IsString()
  @Matches(PERMISSION_NAME_PATTERN, { message: 'name must be lowercase words joined by underscores' })
  @MaxLength(64)
  name: string;
}

export class PutGrantDto {
  @ApiPropertyOptional({ description: 'The grant ends by itself at this time' })
  @IsOptional()
  @IsISO8601()
  expiresAt?: string;
}

export class PutServiceTableDto {
  @ApiProperty({ description: 'Dataset id or exact name' })
  @IsString()
  @Length(1, 200)
  dataset: string;
}

export class PublishTosDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ description: 'Plain text, returned as text, never rendered' })
  @IsString()
  @Length(1, 60_000)
  text: string;
}

export class CreateAffiliationDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional()
  @OptionalField()
  @IsString()
  @MaxLength(200)
  contactName?: string;

  @ApiPropertyOptional()
  @OptionalField()
  @IsEmail()
  contactEmail?: string;
}

export class PutUserAffiliationDto {
  @ApiProperty({ example: '2024-01-01' })
  @IsISO8601()
  start: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601()
  end?: string;
}
