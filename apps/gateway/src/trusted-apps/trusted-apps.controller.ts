import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { TRUSTED_APP_SUBJECTS } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { Authenticated } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, type Caller } from '../auth/current-principal.decorator';

export class TrustedAppDto {
  @ApiProperty({ example: 'https://viewer.example.org/' }) @IsString() @Length(1, 2000) url: string;
}

/** Trusted application URLs (CONTRACT section 4): where login redirects and popup messages may go. */
@ApiTags('apps')
@Controller('api/v1/apps')
export class TrustedAppsController {
  constructor(private readonly client: TesseraClient) {}

  @Get()
  @ApiOperation({ summary: 'Trusted application URLs (anyone)' })
  list(): Promise<unknown> {
    return this.client.request(TRUSTED_APP_SUBJECTS.list, {});
  }

  @Post()
  @Authenticated()
  @ApiOperation({ summary: 'Register a trusted application URL (super admin)' })
  create(@CurrentPrincipal() principal: Caller, @Body() body: TrustedAppDto): Promise<unknown> {
    return this.client.request(TRUSTED_APP_SUBJECTS.create, { principal, url: body.url });
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Remove a trusted application URL (super admin)' })
  remove(@CurrentPrincipal() principal: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<unknown> {
    return this.client.request(TRUSTED_APP_SUBJECTS.remove, { principal, id });
  }
}
