import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsEmail,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
} from 'class-validator';

const SCOPE = /^(\*|[a-z][a-z0-9_-]*)$/;

/** `POST /api/v1/tokens`, `/users/:id/tokens`, `/service-accounts/:id/tokens`. */
export class MintTokenDto {
  @ApiProperty() @IsString() @Length(1, 100) name: string;
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(SCOPE, { each: true, message: 'each scope must be * or a lowercase name' })
  scopes: string[];
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) expiresInDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) expiresAt?: string;
}

export class ResourceTokenDto {
  @ApiProperty({ example: 'dataset:42' })
  @IsString()
  @Length(3, 300)
  @Matches(/^[A-Za-z0-9_.-]+:\S+$/, { message: 'resource must look like <type>:<id>' })
  resource: string;
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(/^[a-z0-9_-]+$/, { each: true, message: 'each action must be a lowercase name' })
  actions: string[];
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) expiresInDays?: number;
}

export class AuthorizeDto {
  @ApiProperty() @IsString() @Length(1, 300) resource: string;
  @ApiProperty() @IsString() @Length(1, 100) action: string;
}

export class TokenBodyDto {
  @ApiProperty() @IsString() @Length(1, 200) token: string;
}

export class AdminKeyDto {
  @ApiProperty() @IsString() @Length(1, 1000) adminKey: string;
}

export class CreateUserDto {
  @ApiProperty() @IsString() @Length(1, 200) name: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() admin?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() readOnly?: boolean;
}

export class CreateServiceAccountDto {
  @ApiProperty() @IsString() @Length(1, 100) @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'name must be letters, digits, _ . -' }) name: string;
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(SCOPE, { each: true, message: 'each scope must be * or a lowercase name' })
  scopes: string[];
}
