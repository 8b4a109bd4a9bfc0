import { Injectable, type CanActivate } from '@nestjs/common';
import { TesseraConfig } from '@tessera/config';
import { TesseraError } from '@tessera/contracts';

/** TESSERA_MIDDLE_AUTH=off: the middle_auth routes do not exist (404). */
@Injectable()
export class MiddleAuthEnabledGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(config: TesseraConfig) {
    this.enabled = config.TESSERA_MIDDLE_AUTH === 'on';
  }

  canActivate(): boolean {
    if (!this.enabled) throw new TesseraError('not_found', 'the middle_auth routes are turned off (TESSERA_MIDDLE_AUTH)');
    return true;
  }
}
