import { Injectable } from '@nestjs/common';
import { ACCOUNT_SCOPES, TesseraError } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { TokenIndexReplica } from '@tessera/token-index';

const DAY_MS = 86_400_000;
/** Lifetime of a personal token that names none (as GitHub's default). */
const DEFAULT_DAYS = 30;

export interface ExpiryInput {
  expiresInDays?: number;
  expiresAt?: string;
}

function badField(field: string, problem: string): TesseraError {
  return new TesseraError('bad_request', `${field}: ${problem}`, [{ field, problems: [problem] }]);
}

/** Scope and expiry rules of CONTRACT section 3, in one place. */
@Injectable()
export class TokenRules {
  constructor(
    private readonly config: TesseraConfig,
    private readonly replica: TokenIndexReplica,
  ) {}

  /** `*`, an account scope, or a permission of the registry; anything else is 400. */
  checkKnownScopes(scopes: string[]): void {
    if (scopes.length === 0) throw badField('scopes', 'must not be empty');
    const unknown = scopes.filter(
      (scope) => scope !== '*' && !(ACCOUNT_SCOPES as readonly string[]).includes(scope) && !this.replica.index.isPermission(scope),
    );
    if (unknown.length > 0) throw badField('scopes', `unknown scope ${unknown.join(', ')}`);
  }

  /** A token never mints a token carrying more than itself: 403 insufficient_scope. */
  checkWithin(scopes: string[], held: string[], heldBy: string): void {
    const missing = scopes.filter((scope) => !held.includes(scope) && !(held.includes('*') && isPermissionScope(scope)));
    if (missing.length > 0) throw new TesseraError('insufficient_scope', `${heldBy} does not hold ${missing.join(', ')}`);
  }

  /** Service-account tokens carry at most the account's scopes: 400 naming `scopes`. */
  checkServiceAccountScopes(scopes: string[], accountScopes: string[]): void {
    const missing = scopes.filter((scope) => !accountScopes.includes(scope) && !(accountScopes.includes('*') && isPermissionScope(scope)));
    if (missing.length > 0) throw badField('scopes', `the service account does not hold ${missing.join(', ')}`);
  }

  /** `expiresInDays` up to TESSERA_TOKEN_MAX_DAYS, or an `expiresAt` in the future within it. */
  expiryOf(input: ExpiryInput, now = Date.now()): Date {
    const maxDays = this.config.TESSERA_TOKEN_MAX_DAYS;
    if (input.expiresInDays !== undefined && input.expiresAt !== undefined)
      throw badField('expiresAt', 'give expiresInDays or expiresAt, not both');
    if (input.expiresInDays !== undefined) {
      if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1)
        throw badField('expiresInDays', 'must be a whole number of days, at least 1');
      if (input.expiresInDays > maxDays) throw badField('expiresInDays', `must be at most ${maxDays} (TESSERA_TOKEN_MAX_DAYS)`);
      return new Date(now + input.expiresInDays * DAY_MS);
    }
    if (input.expiresAt !== undefined) {
      const at = Date.parse(input.expiresAt);
      if (Number.isNaN(at)) throw badField('expiresAt', 'must be an ISO 8601 time');
      if (at <= now) throw badField('expiresAt', 'must be in the future');
      if (at > now + maxDays * DAY_MS) throw badField('expiresAt', `must be within ${maxDays} days (TESSERA_TOKEN_MAX_DAYS)`);
      return new Date(at);
    }
    return new Date(now + Math.min(DEFAULT_DAYS, maxDays) * DAY_MS);
  }

  /** The owner record, reading the log once if this replica has not seen it yet. */
  async owner(id: string) {
    let owner = this.replica.index.owner(id);
    if (!owner) {
      await this.replica.catchUp();
      owner = this.replica.index.owner(id);
    }
    return owner;
  }

  async token(id: string) {
    let record = this.replica.index.tokenById(id);
    if (!record) {
      await this.replica.catchUp();
      record = this.replica.index.tokenById(id);
    }
    return record;
  }

  async atLeast(minRevision: unknown): Promise<void> {
    if (minRevision === undefined || minRevision === null) return;
    const wanted = Number(minRevision);
    if (!Number.isSafeInteger(wanted)) return;
    if (!(await this.replica.waitFor(wanted, 2_000))) {
      throw new TesseraError(
        'stale',
        `the token index reflects revision ${this.replica.position}, not yet ${wanted}`,
        undefined,
        undefined,
        1,
      );
    }
  }
}

function isPermissionScope(scope: string): boolean {
  return !(ACCOUNT_SCOPES as readonly string[]).includes(scope) && scope !== '*';
}
