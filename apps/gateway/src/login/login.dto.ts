import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** `POST /auth/token`. */
export class LoginCodeDto {
  @ApiProperty() @IsString() @Length(1, 200) code: string;
  @ApiProperty() @IsString() @Length(1, 2000) redirect: string;
}

/** `POST /api/v1/tokens/exchange`: the provider's access token (field name as HuBMAP's exchange). */
export class TokenExchangeDto {
  @ApiProperty() @IsString() @Length(1, 8192) auth_token: string;
}
