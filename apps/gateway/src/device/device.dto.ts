import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { OptionalField } from '../http/optional-field';

export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** `POST /auth/device/code` (form or JSON): who asks and for which scopes (space-separated, RFC 6749). */
export class DeviceCodeDto {
  @ApiPropertyOptional({ description: 'Which client asks, shown on the approval page (default tessera-cli)' })
  @OptionalField()
  @IsString()
  @Length(1, 100)
  @Matches(/^[\w.@:/ -]+$/, { message: 'client_id: letters, digits, spaces and . @ : / - _ only' })
  client_id?: string;

  @ApiPropertyOptional({ description: 'Space-separated scopes of the token to mint (default "* tokens")' })
  @OptionalField()
  @IsString()
  @Length(1, 1000)
  scope?: string;
}

/** `POST /auth/device/token` (form or JSON). */
export class DeviceTokenDto {
  @ApiProperty({ enum: [DEVICE_GRANT_TYPE] }) @IsString() @IsIn([DEVICE_GRANT_TYPE]) grant_type: string;
  @ApiProperty() @IsString() @Length(1, 200) device_code: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @Length(1, 100) client_id?: string;
}

/** `POST /api/v1/device/approve` and `/deny`: the code the person reads off the device. */
export class DeviceDecisionDto {
  @ApiProperty({ example: 'BCDF-GHJK' }) @IsString() @Length(1, 32) userCode: string;
}

/** A device login as the approval page shows it. */
export class DeviceLoginDto {
  @ApiProperty({ example: 'BCDF-GHJK' }) userCode: string;
  @ApiProperty() clientId: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ enum: ['pending', 'approved', 'denied', 'collected'] }) status: string;
  @ApiProperty() expiresAt: string;
}

export class DeviceDecisionAnswerDto {
  @ApiProperty() revision: string;
}
