import { createHash } from 'node:crypto';
import { deserialize } from 'node:v8';
import {
  BUILT_IN_PERMISSIONS,
  IDENTITY_EVENTS,
  POLICY_EVENTS,
  TOKEN_EVENTS,
  TOKEN_KINDS,
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
import { KIND_LETTERS, parseToken } from './token-format';

/** Fields only some tokens carry, kept off the common record to save memory. */
export interface TokenExtra {
  impersonatedBy: string | null;
  resource: string | null;
  actions: string[] | null;
}

/**
 * One token, kept small: a million of them must fit in a few hundred MB. The hash is held as
 * its 32 raw bytes in a latin1 string (the map key), the hint as its last 4 characters.
 */
export class TokenRecord {
  constructor(
    readonly id: string,
    readonly key: string,
    readonly kind: TokenKind,
    readonly ownerId: string | null,
    readonly name: string,
    readonly scopes: string[],
    readonly hintTail: string,
    readonly createdAt: number,
    /** Epoch ms; 0 = never expires. */
    readonly expiresAt: number,
    public revoked: boolean,
    readonly extra: TokenExtra | null,
  ) {}

  get hint(): string {
    return `tsr${KIND_LETTERS[this.kind]}_…${this.hintTail}`;
  }
  get resource(): string | null {
    return this.extra?.resource ?? null;
  }
  get actions(): string[] | null {
    return this.extra?.actions ?? null;
  }
  get impersonatedBy(): string | null {
    return this.extra?.impersonatedBy ?? null;
  }
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

/** Binary snapshot: magic, then fixed-width token rows (see serialize). Format 1 was a v8 structured clone. */
const SNAPSHOT_MAGIC = 'TSX2';

/** The map key of a token: its SHA-256 as 32 raw bytes in a latin1 string. */
function keyOfToken(token: string): string {
  return createHash('sha256').update(token).digest().toString('latin1');
}
function keyOfHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1');
}

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
  private readonly ownerIds = new Map<string, string>();
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
    const record = this.byHash.get(keyOfToken(token));
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

  /** By the hex SHA-256 of events. */
  tokenByHash(hash: string): TokenRecord | undefined {
    return this.byHash.get(keyOfHex(hash));
  }

  tokenFor(token: string): TokenRecord | undefined {
    return this.byHash.get(keyOfToken(token));
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
        return this.addToken(this.toRecord(event.data as unknown as TokenMinted));
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
    this.byHash.set(record.key, record);
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

  private toRecord(data: TokenMinted): TokenRecord {
    const extra =
      data.impersonatedBy || data.resource !== undefined
        ? { impersonatedBy: data.impersonatedBy ?? null, resource: data.resource ?? null, actions: data.actions ?? null }
        : null;
    return new TokenRecord(
      data.tokenId,
      keyOfHex(data.tokenHash),
      internKind(data.kind),
      data.ownerId === null ? null : this.internOwner(data.ownerId),
      data.name,
      this.shared(data.scopes),
      data.hint.slice(-4),
      Date.parse(data.createdAt),
      data.expiresAt === null ? 0 : Date.parse(data.expiresAt),
      false,
      extra,
    );
  }

  /** A million tokens of a thousand owners hold a thousand owner-id strings, not a million. */
  private internOwner(id: string): string {
    const existing = this.ownerIds.get(id);
    if (existing !== undefined) return existing;
    this.ownerIds.set(id, id);
    return id;
  }

  /**
   * The whole index as bytes, for `event_store.snapshots`: a JSON head (owners, permissions, the
   * owner-id and scope-list tables), then one row per token: id (36 ASCII), hash (32), kind, revoked,
   * owner index, scope-list index, createdAt, expiresAt, hint tail (4 ASCII), name, extra JSON.
   */
  serialize(): Buffer {
    const ownerIndex = new Map<string, number>();
    const scopeIndex = new Map<string[], number>();
    const scopeLists: string[][] = [];
    const extras = new Map<TokenRecord, Buffer>();
    let size = 0;
    for (const record of this.byId.values()) {
      if (record.ownerId !== null && !ownerIndex.has(record.ownerId)) ownerIndex.set(record.ownerId, ownerIndex.size);
      if (!scopeIndex.has(record.scopes)) {
        scopeIndex.set(record.scopes, scopeLists.length);
        scopeLists.push(record.scopes);
      }
      const extra = record.extra ? Buffer.from(JSON.stringify(record.extra), 'utf8') : undefined;
      if (extra) extras.set(record, extra);
      size += ROW_FIXED + Buffer.byteLength(record.name, 'utf8') + (extra?.length ?? 0);
    }
    const head = Buffer.from(
      JSON.stringify({
        owners: [...this.owners.values()],
        permissions: [...this.permissions],
        ownerIds: [...ownerIndex.keys()],
        scopeLists,
      }),
      'utf8',
    );
    const out = Buffer.allocUnsafe(4 + 8 + 4 + head.length + 4 + size);
    let at = out.write(SNAPSHOT_MAGIC, 0, 'latin1');
    at = out.writeDoubleLE(this.position, at);
    at = out.writeUInt32LE(head.length, at);
    at += head.copy(out, at);
    at = out.writeUInt32LE(this.byId.size, at);
    for (const record of this.byId.values()) {
      at += out.write(record.id.padEnd(36, ' '), at, 36, 'latin1');
      at += out.write(record.key, at, 32, 'latin1');
      at = out.writeUInt8(TOKEN_KINDS.indexOf(record.kind), at);
      at = out.writeUInt8(record.revoked ? 1 : 0, at);
      at = out.writeInt32LE(record.ownerId === null ? -1 : ownerIndex.get(record.ownerId)!, at);
      at = out.writeUInt32LE(scopeIndex.get(record.scopes)!, at);
      at = out.writeDoubleLE(record.createdAt, at);
      at = out.writeDoubleLE(record.expiresAt, at);
      at += out.write(record.hintTail.padEnd(4, ' '), at, 4, 'latin1');
      const nameLength = out.write(record.name, at + 2, 'utf8');
      at = out.writeUInt16LE(nameLength, at) + nameLength;
      const extra = extras.get(record);
      at = out.writeUInt32LE(extra?.length ?? 0, at);
      if (extra) at += extra.copy(out, at);
    }
    return out;
  }

  static deserialize(data: Buffer): TokenIndex {
    if (data.toString('latin1', 0, 4) !== SNAPSHOT_MAGIC) return TokenIndex.deserializeFormat1(data);
    const index = new TokenIndex();
    let at = 4;
    index.position = data.readDoubleLE(at);
    at += 8;
    const headLength = data.readUInt32LE(at);
    at += 4;
    const head = JSON.parse(data.toString('utf8', at, at + headLength)) as {
      owners: OwnerRecord[];
      permissions: string[];
      ownerIds: string[];
      scopeLists: string[][];
    };
    at += headLength;
    for (const owner of head.owners) index.owners.set(owner.id, owner);
    for (const name of head.permissions) index.permissions.add(name);
    const ownerIds = head.ownerIds.map((id) => index.internOwner(id));
    const scopeLists = head.scopeLists.map((scopes) => index.shared(scopes));
    const count = data.readUInt32LE(at);
    at += 4;
    for (let n = 0; n < count; n += 1) {
      const id = data.toString('latin1', at, at + 36).trimEnd();
      const key = data.toString('latin1', at + 36, at + 68);
      at += 68;
      const kind = TOKEN_KINDS[data[at]];
      const revoked = data[at + 1] === 1;
      const owner = data.readInt32LE(at + 2);
      const scopes = scopeLists[data.readUInt32LE(at + 6)];
      const createdAt = data.readDoubleLE(at + 10);
      const expiresAt = data.readDoubleLE(at + 18);
      const hintTail = data.toString('latin1', at + 26, at + 30).trimEnd();
      at += 30;
      const nameLength = data.readUInt16LE(at);
      const name = data.toString('utf8', at + 2, at + 2 + nameLength);
      at += 2 + nameLength;
      const extraLength = data.readUInt32LE(at);
      at += 4;
      const extra = extraLength === 0 ? null : (JSON.parse(data.toString('utf8', at, at + extraLength)) as TokenExtra);
      at += extraLength;
      index.addToken(
        new TokenRecord(id, key, kind, owner === -1 ? null : ownerIds[owner], name, scopes, hintTail, createdAt, expiresAt, revoked, extra),
      );
    }
    return index;
  }

  /** Snapshots written before the binary format (a v8 structured clone of tuples). */
  private static deserializeFormat1(data: Buffer): TokenIndex {
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
    if (snapshot.format !== 1) throw new Error(`unknown token index snapshot format ${snapshot.format}`);
    const index = new TokenIndex();
    index.position = snapshot.position;
    for (const owner of snapshot.owners) index.owners.set(owner.id, { ...owner, email: owner.email ?? null });
    for (const name of snapshot.permissions) index.permissions.add(name);
    for (const t of snapshot.tokens) {
      const extra = t[10] || t[11] !== null ? { impersonatedBy: t[10], resource: t[11], actions: t[12] } : null;
      index.addToken(
        new TokenRecord(
          t[0],
          keyOfHex(t[1]),
          t[2],
          t[3] === null ? null : index.internOwner(t[3]),
          t[4],
          index.shared(t[5] === '' ? [] : t[5].split(' ')),
          t[6].slice(-4),
          t[7],
          t[8],
          t[9],
          extra,
        ),
      );
    }
    return index;
  }
}

/** id 36 + hash 32 + kind 1 + revoked 1 + owner 4 + scopes 4 + createdAt 8 + expiresAt 8 + hint 4 + name length 2 + extra length 4. */
const ROW_FIXED = 104;

function internKind(kind: string): TokenKind {
  const known = TOKEN_KINDS.find((candidate) => candidate === kind);
  if (!known) throw new Error(`unknown token kind ${kind}`);
  return known;
}
