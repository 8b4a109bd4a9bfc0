import { Body, Controller, Delete, HttpCode, Param, ParseUUIDPipe, Patch } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsString, Length } from 'class-validator';
import { TesseraError, USER_ACCOUNT_SUBJECTS } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { OptionalField } from '../http/optional-field';
import { Authenticated } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, type Caller } from '../auth/current-principal.decorator';

export class UpdateUserDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional() @OptionalField() @IsBoolean() admin?: boolean;
  @ApiPropertyOptional() @OptionalField() @IsBoolean() readOnly?: boolean;
  @ApiPropertyOptional({ description: 'principal investigator' }) @OptionalField() @IsBoolean() pi?: boolean;
}

/** PATCH and DELETE of `/api/v1/users/:id` (super admin); DELETE deactivates (the token app then revokes every token, in the log). */
@ApiTags('users')
@Controller('api/v1/users')
@Authenticated()
export class UserAccountsController {
  constructor(private readonly client: TesseraClient) {}

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, admin, readOnly or pi (super admin)' })
  update(
    @CurrentPrincipal() principal: Caller,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateUserDto,
  ): Promise<unknown> {
    return this.client.request(USER_ACCOUNT_SUBJECTS.update, { ...body, principal, id });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Deactivate a user: every token revoked, memberships end (super admin)' })
  async deactivate(@CurrentPrincipal() principal: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<{ revision?: string }> {
    if (!principal.superAdmin) throw new TesseraError('not_admin', 'only a super admin may do this');
    // Tokens are refused from this revision on; the token app revokes each in the log when it reads the deactivation.
    const deactivated = await this.client.request(USER_ACCOUNT_SUBJECTS.deactivate, { principal, id });
    return { revision: deactivated.revision };
  }
}
