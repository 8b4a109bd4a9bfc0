import { deserialize, serialize } from 'node:v8';
import {
  BUILT_IN_PERMISSIONS,
  IDENTITY_EVENTS,
  POLICY_EVENTS,
  TOKEN_EVENTS,
  type PermissionRegistered,
  type Principal,
  type ServiceAccountCreated,
  type TokenKind,
  type TokenMinted,
  type TokenRevoked,
  type UserRegistered,
  type UserUpdated,
} from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';
import { hashToken, parseToken } from './token-format';

export interface TokenRecord {
  id: string;
  hash: string;
  kind: TokenKind;
  ownerId: string | null;
  name: string;
  scopes: string[];
  hint: string;
  createdAt: number;
  /** Epoch ms; 0 = never expires. */
  expiresAt: number;
  revoked: boolean;
  impersonatedBy: string | null;
  resource: string | null;
  actions: string[] | null;
}

/** What the token index needs of a user or service account. */
export interface OwnerRecord {
  id: string;
  name: string;
  email: string | null;
  admin: boolean;
  readOnly: boolean;
  active: boolean;
  serviceAccount: boolean;
  /** Service accounts: the most their tokens may carry. */
  scopes: string[] | null;
}

export type TokenRefusalCode = 'invalid_token' | 'expired_token' | 'revoked_token';
export interface TokenRefusal {
  error: TokenRefusalCode;
}

export function isRefusal(value: Principal | TokenRefusal): value is TokenRefusal {
  return 'error' in value;
}

const SNAPSHOT_FORMAT = 1;

/**
 * Token hash → token record, and the owners' standing, as a projection of the log. Every replica
 * (token app, gateway, policy app) holds one, fed in position order by a LogSubscription.
 */
export class TokenIndex {
  private readonly byHash = new Map<string, TokenRecord>();
  private readonly byId = new Map<string, TokenRecord>();
  private readonly byOwner = new Map<string, TokenRecord[]>();
  private readonly owners = new Map<string, OwnerRecord>();
  private readonly permissions = new Set<string>(BUILT_IN_PERMISSIONS);
  /** Identical scope lists share one array: a million tokens hold a handful of distinct lists. */
  private readonly scopeLists = new Map<string, string[]>();
  /** Position of the last event applied. */
  position = 0;

  get size(): number {
    return this.byHash.size;
  }

  apply(events: RecordedEvent[]): void {
    for (const event of events) {
      this.applyOne(event);
      this.position = event.position;
    }
  }

  /** Resolves a bearer token to its principal, or to why it is refused. */
  resolve(token: string, now = Date.now()): Principal | TokenRefusal {
    if (parseToken(token) === undefined) return { error: 'invalid_token' };
    return this.resolveHash(hashToken(token), now);
  }

  resolveHash(hash: string, now = Date.now()): Principal | TokenRefusal {
    const record = this.byHash.get(hash);
    if (!record) return { error: 'invalid_token' };
    return this.principalOf(record, now);
  }

  principalOf(record: TokenRecord, now = Date.now()): Principal | TokenRefusal {
    const owner = record.ownerId === null ? undefined : this.owners.get(record.ownerId);
    if (record.revoked || (record.ownerId !== null && owner?.active === false)) return { error: 'revoked_token' };
    if (record.expiresAt !== 0 && now >= record.expiresAt) return { error: 'expired_token' };
    const superAdmin = record.kind === 'admin' || (owner?.admin === true && record.scopes.includes('admin'));
    return {
      tokenId: record.id,
      kind: record.kind,
      ...(record.ownerId !== null ? { userId: record.ownerId } : {}),
      scopes: record.scopes,
      superAdmin,
      readOnly: owner?.readOnly ?? false,
      serviceAccount: owner?.serviceAccount ?? false,
      ...(record.resource !== null ? { resource: record.resource, actions: record.actions ?? [] } : {}),
      ...(record.expiresAt !== 0 ? { expiresAt: new Date(record.expiresAt).toISOString() } : {}),
    };
  }

  tokenById(id: string): TokenRecord | undefined {
    return this.byId.get(id);
  }

  tokenByHash(hash: string): TokenRecord | undefined {
    return this.byHash.get(hash);
  }

  tokensOf(ownerId: string): TokenRecord[] {
    return this.byOwner.get(ownerId) ?? [];
  }

  owner(id: string): OwnerRecord | undefined {
    return this.owners.get(id);
  }

  isPermission(name: string): boolean {
    return this.permissions.has(name);
  }

  private applyOne(event: RecordedEvent): void {
    switch (event.type) {
      case TOKEN_EVENTS.tokenMinted:
        return this.addToken(toRecord(event.data as unknown as TokenMinted, (scopes) => this.shared(scopes)));
      case TOKEN_EVENTS.tokenRevoked: {
        const record = this.byId.get((event.data as unknown as TokenRevoked).tokenId);
        if (record) record.revoked = true;
        return;
      }
      case IDENTITY_EVENTS.userRegistered: {
        const data = event.data as unknown as UserRegistered;
        this.owners.set(data.userId, {
          id: data.userId,
          name: data.name,
          email: data.email,
          admin: data.admin,
          readOnly: data.readOnly,
          active: true,
          serviceAccount: false,
          scopes: null,
        });
        return;
      }
      case IDENTITY_EVENTS.serviceAccountCreated: {
        const data = event.data as unknown as ServiceAccountCreated;
        this.owners.set(data.userId, {
          id: data.userId,
          name: data.name,
          email: null,
          admin: false,
          readOnly: false,
          active: true,
          serviceAccount: true,
          scopes: data.scopes,
        });
        return;
      }
      case IDENTITY_EVENTS.userUpdated: {
        const data = event.data as unknown as UserUpdated;
        const owner = this.owners.get(data.userId);
        if (!owner) return;
        if (data.name !== undefined) owner.name = data.name;
        if (data.email !== undefined) owner.email = data.email;
        if (data.admin !== undefined) owner.admin = data.admin;
        if (data.readOnly !== undefined) owner.readOnly = data.readOnly;
        return;
      }
      case IDENTITY_EVENTS.userDeactivated: {
        const owner = this.owners.get((event.data as { userId: string }).userId);
        if (owner) owner.active = false;
        return;
      }
      case POLICY_EVENTS.permissionRegistered:
        this.permissions.add((event.data as unknown as PermissionRegistered).name);
        return;
      default:
        return;
    }
  }

  private addToken(record: TokenRecord): void {
    this.byHash.set(record.hash, record);
    this.byId.set(record.id, record);
    if (record.ownerId !== null) {
      const list = this.byOwner.get(record.ownerId);
      if (list) list.push(record);
      else this.byOwner.set(record.ownerId, [record]);
    }
  }

  private shared(scopes: string[]): string[] {
    const key = scopes.join(' ');
    const existing = this.scopeLists.get(key);
    if (existing) return existing;
    this.scopeLists.set(key, scopes);
    return scopes;
  }

  /** The whole index as bytes, for `event_store.snapshots`. */
  serialize(): Buffer {
    const tokens: unknown[] = [];
    for (const r of this.byId.values()) {
      tokens.push([
        r.id,
        r.hash,
        r.kind,
        r.ownerId,
        r.name,
        r.scopes.join(' '),
        r.hint,
        r.createdAt,
        r.expiresAt,
        r.revoked,
        r.impersonatedBy,
        r.resource,
        r.actions,
      ]);
    }
    return serialize({
      format: SNAPSHOT_FORMAT,
      position: this.position,
      owners: [...this.owners.values()],
      permissions: [...this.permissions],
      tokens,
    });
  }

  static deserialize(data: Buffer): TokenIndex {
    const snapshot = deserialize(data) as {
      format: number;
      position: number;
      owners: OwnerRecord[];
      permissions: string[];
      tokens: [
        string,
        string,
        TokenKind,
        string | null,
        string,
        string,
        string,
        number,
        number,
        boolean,
        string | null,
        string | null,
        string[] | null,
      ][];
    };
    if (snapshot.format !== SNAPSHOT_FORMAT) throw new Error(`unknown token index snapshot format ${snapshot.format}`);
    const index = new TokenIndex();
    index.position = snapshot.position;
    for (const owner of snapshot.owners) index.owners.set(owner.id, owner);
    for (const name of snapshot.permissions) index.permissions.add(name);
    for (const t of snapshot.tokens) {
      index.addToken({
        id: t[0],
        hash: t[1],
        kind: t[2],
        ownerId: t[3],
        name: t[4],
        scopes: index.shared(t[5] === '' ? [] : t[5].split(' ')),
        hint: t[6],
        createdAt: t[7],
        expiresAt: t[8],
        revoked: t[9],
        impersonatedBy: t[10],
        resource: t[11],
        actions: t[12],
      });
    }
    return index;
  }
}

function toRecord(data: TokenMinted, shared: (scopes: string[]) => string[]): TokenRecord {
  return {
    id: data.tokenId,
    hash: data.tokenHash,
    kind: data.kind,
    ownerId: data.ownerId,
    name: data.name,
    scopes: shared(data.scopes),
    hint: data.hint,
    createdAt: Date.parse(data.createdAt),
    expiresAt: data.expiresAt === null ? 0 : Date.parse(data.expiresAt),
    revoked: false,
    impersonatedBy: data.impersonatedBy ?? null,
    resource: data.resource ?? null,
    actions: data.actions ?? null,
  };
}
