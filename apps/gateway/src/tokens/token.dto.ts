import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsEmail,
  IsInt,
  IsISO8601,
  IsString,
  Length,
  Matches,
  Min,
} from 'class-validator';
import { OptionalField } from '../http/optional-field';

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
  @ApiPropertyOptional() @OptionalField() @IsInt() @Min(1) expiresInDays?: number;
  @ApiPropertyOptional() @OptionalField() @IsISO8601({ strict: true }) expiresAt?: string;
}

/** Only the fields a mint names, whatever else a body carried: the gateway sets the rest itself. */
export function mintFields(body: MintTokenDto) {
  return { name: body.name, scopes: body.scopes, expiresInDays: body.expiresInDays, expiresAt: body.expiresAt };
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
  @ApiPropertyOptional() @OptionalField() @IsInt() @Min(1) expiresInDays?: number;
}

export function resourceTokenFields(body: ResourceTokenDto) {
  return { resource: body.resource, actions: body.actions, expiresInDays: body.expiresInDays };
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
  @ApiPropertyOptional() @OptionalField() @IsEmail() email?: string;
  @ApiPropertyOptional() @OptionalField() @IsBoolean() admin?: boolean;
  @ApiPropertyOptional() @OptionalField() @IsBoolean() readOnly?: boolean;
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
