import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { TesseraError } from '@tessera/contracts';
import { isUniqueViolation } from '@tessera/event-store';
import { PG_POOL } from '@tessera/platform';
import type { UpstreamIdentity } from '../upstream/upstream-provider.service';
import { UserCommands } from '../users/user-commands';
import { nextUserNumber, type UserRow } from '../users/users.projection';

/**
 * Users keyed by (issuer, subject), never by e-mail: the same person logging in twice is one user.
 * The one use of an e-mail is a user's first login: a user registered without an external identity
 * (by a super admin, or imported from middle_auth, which knew people by e-mail) is claimed by the
 * provider's verified e-mail, when exactly one such user has it.
 */
@Injectable()
export class ExternalIdentities {
  constructor(
    private readonly users: UserCommands,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async findOrCreate(identity: UpstreamIdentity): Promise<{ user: UserRow; created: boolean; revision?: string }> {
    const existing = await this.find(identity);
    if (existing) return this.usable(existing, false);
    const unlinked = await this.unlinkedByEmail(identity);
    if (unlinked) return this.link(unlinked, identity);
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

  /** The one user without an external identity whose e-mail the provider verified; none when two share it. */
  private async unlinkedByEmail(identity: UpstreamIdentity): Promise<UserRow | undefined> {
    if (!identity.emailVerified || identity.email === null) return undefined;
    const result = await this.pool.query<UserRow>(
      'SELECT * FROM identity.users WHERE issuer IS NULL AND NOT service_account AND lower(email) = lower($1) LIMIT 2',
      [identity.email],
    );
    return result.rows.length === 1 ? result.rows[0] : undefined;
  }

  private async link(user: UserRow, identity: UpstreamIdentity) {
    // A deactivated user stays refused: a login must not bring it back as a new account.
    this.usable(user, false);
    const { issuer, subject } = identity;
    try {
      const { position } = await this.users.run(
        { type: 'LinkExternalIdentity', data: { userId: user.id, issuer, subject, email: identity.email! } },
        `login:${issuer}`,
      );
      return { ...this.usable((await this.find(identity))!, false), revision: String(position) };
    } catch (error) {
      // The same first login twice at once: one links, the other finds the link.
      const found = await this.find(identity);
      if (found) return this.usable(found, false);
      throw error;
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
