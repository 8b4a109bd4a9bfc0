import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { TesseraError } from '@tessera/contracts';
import { isUniqueViolation } from '@tessera/event-store';
import { PG_POOL } from '@tessera/platform';
import type { UpstreamIdentity } from '../upstream/upstream-provider.service';
import { UserCommands } from '../users/user-commands';
import { nextUserNumber, type UserRow } from '../users/users.projection';

/** Users keyed by (issuer, subject), never by e-mail: the same person logging in twice is one user. */
@Injectable()
export class ExternalIdentities {
  constructor(
    private readonly users: UserCommands,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async findOrCreate(identity: UpstreamIdentity): Promise<{ user: UserRow; created: boolean; revision?: string }> {
    const existing = await this.find(identity);
    if (existing) return this.usable(existing, false);
    const { name, email, issuer, subject } = identity;
    const data = {
      userId: randomUUID(),
      name,
      email,
      admin: false,
      readOnly: false,
      issuer,
      subject,
      number: await nextUserNumber(this.pool),
    };
    try {
      const { position } = await this.users.run({ type: 'RegisterUser', data }, `login:${issuer}`);
      return { ...this.usable((await this.find(identity))!, true), revision: String(position) };
    } catch (error) {
      // Two first logins of one person at once: the unique (issuer, subject) index lets one win.
      if (!isUniqueViolation(error)) throw error;
      return this.usable((await this.find(identity))!, false);
    }
  }

  private async find(identity: UpstreamIdentity): Promise<UserRow | undefined> {
    const result = await this.pool.query<UserRow>('SELECT * FROM identity.users WHERE issuer = $1 AND subject = $2', [
      identity.issuer,
      identity.subject,
    ]);
    return result.rows[0];
  }

  private usable(user: UserRow, created: boolean) {
    if (!user.active) throw new TesseraError('invalid_token', 'this account is deactivated');
    return { user, created };
  }
}
