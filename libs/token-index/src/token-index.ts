import { hash } from 'node:crypto';
import { endianness } from 'node:os';
import { deserialize } from 'node:v8';
import { BUILT_IN_PERMISSIONS, TOKEN_KINDS, type Principal, type TesseraEvent, type TokenKind, type TokenMinted } from '@tessera/contracts';
import type { EventPayload } from '@tessera/event-store';
import { isLegacyToken, KIND_LETTERS, parseToken } from './token-format';
import { Memberships, type MembershipsSnapshot } from './memberships';
import { COLUMN_WIDTHS, LEGACY_HINT, TokenTable, type TokenExtra, type TokenLookup, type TokenSideTables } from './token-table';

export type { TokenExtra } from './token-table';

/**
 * One token of the index, as callers see it: a live view of its slot in the TokenTable (the index
 * keeps columns, not a million objects), so `revoked` reflects a revocation applied later.
 */
export class TokenRecord {
  constructor(
    private readonly table: TokenTable,
    /** Position of the token in the table (mint order). */
    readonly slot: number,
  ) {}

  get id(): string {
    return this.table.id(this.slot);
  }
  /** The SHA-256 as 32 raw bytes in a latin1 string. */
  get key(): string {
    return this.table.hashKey(this.slot);
  }
  get kind(): TokenKind {
    return this.table.kind(this.slot);
  }
  get ownerId(): string | null {
    return this.table.ownerId(this.slot);
  }
  get name(): string {
    return this.table.name(this.slot);
  }
  get scopes(): string[] {
    return this.table.scopeList(this.slot);
  }
  get hintTail(): string {
    return this.table.hintTail(this.slot);
  }
  get createdAt(): number {
    return this.table.createdAt[this.slot];
  }
  /** Epoch ms; 0 = never expires. */
  get expiresAt(): number {
    return this.table.expiresAt[this.slot];
  }
  get revoked(): boolean {
    return this.table.revoked(this.slot);
  }
  get extra(): TokenExtra | null {
    return this.table.extra(this.slot);
  }
  get hint(): string {
    const tail = this.hintTail;
    return tail.startsWith(LEGACY_HINT) ? tail : `tsr${KIND_LETTERS[this.kind]}_…${tail}`;
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

/**
 * Snapshot formats, told apart by their first bytes: 'TSX4' (columns and lookup tables, see
 * serialize), 'TSX3' (columns), 'TSX2' (one fixed-width row per token), and format 1 (a v8
 * structured clone). The last three are still read.
 */
const SNAPSHOT_MAGIC = 'TSX4';
/** 'TSX4' without the lookup tables after the names (rebuilt when loaded); still read. */
const COLUMN_SNAPSHOT_MAGIC = 'TSX3';
const ROW_SNAPSHOT_MAGIC = 'TSX2';
const LITTLE_ENDIAN = endianness() === 'LE';
/** The column a revocation changes in place (see COLUMN_WIDTHS). */
const FLAGS_COLUMN = COLUMN_WIDTHS.length - 1;
/** Principals kept for reuse beyond which they are all made again (memory stays bounded). */
const MAX_KEPT_PRINCIPALS = 50_000;

/**
 * Token hash → token record, and the owners' standing, as a projection of the log. Every replica
 * (token app, gateway, policy app) holds one, fed in position order by a LogSubscription.
 */
export class TokenIndex {
  private readonly tokens = new TokenTable();
  private readonly owners = new Map<string, OwnerRecord>();
  private readonly permissions = new Set<string>(BUILT_IN_PERMISSIONS);
  /** Groups and affiliations by user, for `GET /api/v1/me`. */
  memberships = new Memberships();
  /** False for an index from a snapshot written before memberships were indexed: replay the log instead. */
  hasMemberships = true;
  /** Position of the last event applied. */
  position = 0;
  /**
   * Principals made since the index last changed, by slot: every request of a token gets the same
   * object (treated as read-only) until an event is applied, which may revoke it or change its owner.
   */
  private readonly principals = new Map<number, Principal>();
  /** Events applied so far, and how many had been when `principals` was last emptied. */
  private changes = 0;
  private principalsAt = 0;

  get size(): number {
    return this.tokens.size;
  }

  apply(events: readonly EventPayload<TesseraEvent>[]): void {
    for (const event of events) {
      this.applyOne(event);
      this.position = event.position;
    }
    this.changes += events.length;
  }

  /** Room for `more` tokens made at once (before a long catch-up), given back by trim once it is over. */
  reserve(more: number): void {
    this.tokens.reserve(more);
  }

  trim(): void {
    this.tokens.trim();
  }

  /** A TokenMinted without extras at `position`, as the log reader found its fields (TokenTable.addMinted). */
  applyMinted(position: number, data: Buffer, at: Int32Array, from: number): void {
    this.tokens.addMinted(data, at, from);
    this.position = position;
    this.changes += 1;
  }

  /** A TokenRevoked at `position`, by the UTF-8 bytes of its token id. */
  applyRevoked(position: number, data: Buffer, idAt: number, idLength: number): void {
    const slot = this.tokens.slotOfIdBytes(data, idAt, idLength);
    if (slot !== -1) this.tokens.revoke(slot);
    this.position = position;
    this.changes += 1;
  }

  /** Resolves a bearer token to its principal, or to why it is refused. */
  resolve(token: string, now = Date.now()): Principal | TokenRefusal {
    if (parseToken(token) === undefined && !isLegacyToken(token)) return { error: 'invalid_token' };
    const slot = this.tokens.slotOfHash(hashOf(token));
    if (slot === -1) return { error: 'invalid_token' };
    if (this.principalsAt !== this.changes) {
      this.principals.clear();
      this.principalsAt = this.changes;
    }
    const made = this.principals.get(slot);
    if (made !== undefined) {
      // Nothing applied since it was made: only time can have ended it.
      const expiresAt = this.tokens.expiresAt[slot];
      return expiresAt !== 0 && now >= expiresAt ? { error: 'expired_token' } : made;
    }
    const principal = this.principalOf(new TokenRecord(this.tokens, slot), now);
    if (!isRefusal(principal)) {
      if (this.principals.size >= MAX_KEPT_PRINCIPALS) this.principals.clear();
      this.principals.set(slot, principal);
    }
    return principal;
  }

  principalOf(record: TokenRecord, now = Date.now()): Principal | TokenRefusal {
    const ownerId = record.ownerId;
    const owner = ownerId === null ? undefined : this.owners.get(ownerId);
    if (record.revoked || (ownerId !== null && owner?.active === false)) return { error: 'revoked_token' };
    const expiresAt = record.expiresAt;
    if (expiresAt !== 0 && now >= expiresAt) return { error: 'expired_token' };
    const kind = record.kind;
    const scopes = record.scopes;
    const superAdmin = kind === 'admin' || (owner?.admin === true && scopes.includes('admin'));
    const principal: Principal = {
      tokenId: record.id,
      kind,
      scopes,
      superAdmin,
      readOnly: owner?.readOnly ?? false,
      serviceAccount: owner?.serviceAccount ?? false,
    };
    // Fields set one by one, not spread in: this runs on every authenticated request.
    if (ownerId !== null) principal.userId = ownerId;
    const extra = record.extra;
    const resource = extra?.resource ?? null;
    if (resource !== null) {
      principal.resource = resource;
      principal.actions = extra?.actions ?? [];
    }
    if (expiresAt !== 0) principal.expiresAt = new Date(expiresAt).toISOString();
    if (kind === 'impersonation' && extra?.impersonatedBy) principal.impersonatedBy = extra.impersonatedBy;
    return principal;
  }

  tokenById(id: string): TokenRecord | undefined {
    return this.recordAt(this.tokens.slotOfId(id));
  }

  /** By the hex SHA-256 of events. */
  tokenByHash(hash: string): TokenRecord | undefined {
    return this.recordAt(this.tokens.slotOfHexHash(hash));
  }

  tokenFor(token: string): TokenRecord | undefined {
    return this.recordAt(this.tokens.slotOfHash(hashOf(token)));
  }

  /** The owner's tokens in mint order (a fresh array each call). */
  tokensOf(ownerId: string): TokenRecord[] {
    return this.tokens.slotsOf(ownerId).map((slot) => new TokenRecord(this.tokens, slot));
  }

  owner(id: string): OwnerRecord | undefined {
    return this.owners.get(id);
  }

  isPermission(name: string): boolean {
    return this.permissions.has(name);
  }

  private recordAt(slot: number): TokenRecord | undefined {
    return slot === -1 ? undefined : new TokenRecord(this.tokens, slot);
  }

  // String literals, not the contracts' constants: those are behind getters, read a million times here.
  private applyOne(event: EventPayload<TesseraEvent>): void {
    switch (event.type) {
      case 'TokenMinted':
        this.addToken(event.data);
        return;
      case 'TokenRevoked': {
        const slot = this.tokens.slotOfId(event.data.tokenId);
        if (slot !== -1) this.tokens.revoke(slot);
        return;
      }
      case 'UserRegistered': {
        const data = event.data;
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
      case 'ServiceAccountCreated': {
        const data = event.data;
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
      case 'UserUpdated': {
        const data = event.data;
        const owner = this.owners.get(data.userId);
        if (!owner) return;
        if (data.name !== undefined) owner.name = data.name;
        if (data.email !== undefined) owner.email = data.email;
        if (data.admin !== undefined) owner.admin = data.admin;
        if (data.readOnly !== undefined) owner.readOnly = data.readOnly;
        return;
      }
      case 'UserDeactivated': {
        const owner = this.owners.get(event.data.userId);
        if (owner) owner.active = false;
        this.memberships.apply(event);
        return;
      }
      case 'PermissionRegistered':
        this.permissions.add(event.data.name);
        return;
      default:
        this.memberships.apply(event);
        return;
    }
  }

  private addToken(data: TokenMinted['data']): void {
    const kind = internKind(data.kind);
    const extra =
      data.impersonatedBy || data.resource !== undefined
        ? { impersonatedBy: data.impersonatedBy ?? null, resource: data.resource ?? null, actions: data.actions ?? null }
        : null;
    this.tokens.add({
      id: data.tokenId,
      hash: data.tokenHash,
      kind,
      owner: data.ownerId === null ? -1 : this.tokens.internOwner(data.ownerId),
      scopeList: this.tokens.internScopes(data.scopes),
      name: data.name,
      hint: data.hint,
      createdAt: Date.parse(data.createdAt),
      expiresAt: data.expiresAt === null ? 0 : Date.parse(data.expiresAt),
      extra,
    });
  }

  /**
   * The whole index as bytes, for `event_store.snapshots`; the same events give the same bytes.
   * 'TSX3', position (f64), a JSON head (owners, permissions, the owner-id and scope-list tables,
   * and what the columns do not hold: odd ids and hints, extras), token count and names length
   * (u32 each), then each column of the TokenTable, padded to 8 bytes, then the names.
   */
  serialize(): Buffer {
    return Buffer.concat(this.snapshotParts());
  }

  /**
   * The bytes of `serialize()` in parts, most of them views of the table's columns, for
   * saveSnapshot to stream without one big copy. They stay as they are while the index goes on:
   * the table only appends to its columns, and the one it changes in place (flags) is copied.
   */
  snapshotParts(): Uint8Array[] {
    if (!LITTLE_ENDIAN) throw new Error('token index snapshots need a little-endian machine');
    const { columns, names } = this.tokens.columnBytes();
    const lookup = this.tokens.lookupParts();
    const head = Buffer.from(
      JSON.stringify({
        owners: [...this.owners.values()],
        permissions: [...this.permissions],
        ownerIds: this.tokens.ownerIds,
        scopeLists: this.tokens.scopeLists,
        oddIds: [...this.tokens.oddIds],
        oddHints: [...this.tokens.oddHints],
        extras: [...this.tokens.extras],
        memberships: this.memberships.toSnapshot(),
        lookup: lookup.head,
      } satisfies SnapshotHead),
      'utf8',
    );
    const prefix = Buffer.alloc(padded(24 + head.length));
    prefix.write(SNAPSHOT_MAGIC, 0, 'latin1');
    prefix.writeDoubleLE(this.position, 4);
    prefix.writeUInt32LE(head.length, 12);
    head.copy(prefix, 16);
    prefix.writeUInt32LE(this.tokens.count, 16 + head.length);
    prefix.writeUInt32LE(names.length, 20 + head.length);
    const parts: Uint8Array[] = [prefix];
    columns.forEach((column, n) => {
      parts.push(n === FLAGS_COLUMN ? column.slice() : column);
      if (padded(column.length) > column.length) parts.push(new Uint8Array(padded(column.length) - column.length));
    });
    parts.push(names);
    if (padded(names.length) > names.length) parts.push(new Uint8Array(padded(names.length) - names.length));
    parts.push(...lookup.bytes);
    return parts;
  }

  static deserialize(data: Buffer): TokenIndex {
    const magic = data.toString('latin1', 0, 4);
    if (magic === ROW_SNAPSHOT_MAGIC) return TokenIndex.deserializeRows(data);
    if (magic !== SNAPSHOT_MAGIC && magic !== COLUMN_SNAPSHOT_MAGIC) return TokenIndex.deserializeFormat1(data);
    if (!LITTLE_ENDIAN) throw new Error('token index snapshots need a little-endian machine');
    const index = new TokenIndex();
    index.position = data.readDoubleLE(4);
    const headLength = data.readUInt32LE(12);
    const head = JSON.parse(data.toString('utf8', 16, 16 + headLength)) as SnapshotHead;
    const count = data.readUInt32LE(16 + headLength);
    const namesLength = data.readUInt32LE(20 + headLength);
    index.restoreHead(head);
    if (head.memberships) index.memberships = Memberships.fromSnapshot(head.memberships);
    else index.hasMemberships = false;
    let at = padded(24 + headLength);
    const columns = COLUMN_WIDTHS.map((width) => {
      const column = data.subarray(at, at + width * count);
      at += padded(width * count);
      return column;
    });
    const names = data.subarray(at, at + namesLength);
    if (magic === COLUMN_SNAPSHOT_MAGIC) {
      if (at + namesLength !== data.length) throw new Error('token index snapshot of the wrong length');
      index.tokens.load(count, columns, names, head);
      return index;
    }
    at += padded(namesLength);
    const { lookup } = head;
    if (!lookup) throw new Error('token index snapshot without its lookup tables');
    // The tables follow the names: by hash, by id, then the owner lists (a word per token).
    const byHash = data.subarray(at, at + lookup.hashSlots * 4);
    const byId = data.subarray(at + byHash.length, at + byHash.length + lookup.idSlots * 4);
    if (at + byHash.length + byId.length + count * 4 !== data.length) throw new Error('token index snapshot of the wrong length');
    const nextOfOwner = data.subarray(at + byHash.length + byId.length);
    index.tokens.load(count, columns, names, head, { ...lookup, byHash, byId, nextOfOwner });
    return index;
  }

  private restoreHead(head: Pick<SnapshotHead, 'owners' | 'permissions' | 'ownerIds' | 'scopeLists'>): void {
    for (const owner of head.owners) this.owners.set(owner.id, { ...owner, email: owner.email ?? null });
    for (const name of head.permissions) this.permissions.add(name);
    for (const id of head.ownerIds) this.tokens.internOwner(id);
    for (const scopes of head.scopeLists) this.tokens.internScopes(scopes);
  }

  /**
   * Snapshots of format 'TSX2': a JSON head (owners, permissions, owner-id and scope-list tables),
   * then per token: id (36 ASCII), hash (32), kind, revoked, owner index, scope-list index,
   * createdAt, expiresAt, hint tail (4 ASCII), name, extra JSON.
   */
  private static deserializeRows(data: Buffer): TokenIndex {
    const index = new TokenIndex();
    index.hasMemberships = false;
    let at = 4;
    index.position = data.readDoubleLE(at);
    at += 8;
    const headLength = data.readUInt32LE(at);
    at += 4;
    const head = JSON.parse(data.toString('utf8', at, at + headLength)) as Pick<
      SnapshotHead,
      'owners' | 'permissions' | 'ownerIds' | 'scopeLists'
    >;
    at += headLength;
    for (const owner of head.owners) index.owners.set(owner.id, owner);
    for (const name of head.permissions) index.permissions.add(name);
    const ownerIds = head.ownerIds.map((id) => index.tokens.internOwner(id));
    const scopeLists = head.scopeLists.map((scopes) => index.tokens.internScopes(scopes));
    const count = data.readUInt32LE(at);
    at += 4;
    for (let n = 0; n < count; n += 1) {
      const id = data.toString('latin1', at, at + 36).trimEnd();
      const hash = data.toString('hex', at + 36, at + 68);
      at += 68;
      const kind = TOKEN_KINDS[data[at]];
      const revoked = data[at + 1] === 1;
      const owner = data.readInt32LE(at + 2);
      const scopeList = scopeLists[data.readUInt32LE(at + 6)];
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
      if (kind === undefined || scopeList === undefined || (owner !== -1 && ownerIds[owner] === undefined)) {
        throw new Error('token index snapshot out of range');
      }
      const slot = index.tokens.add({
        id,
        hash,
        kind,
        owner: owner === -1 ? -1 : ownerIds[owner],
        scopeList,
        name,
        hint: hintTail,
        createdAt,
        expiresAt,
        extra,
      });
      if (revoked) index.tokens.revoke(slot);
    }
    return index;
  }

  /** Snapshots written before the binary formats (a v8 structured clone of tuples). */
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
    index.hasMemberships = false;
    index.position = snapshot.position;
    for (const owner of snapshot.owners) index.owners.set(owner.id, { ...owner, email: owner.email ?? null });
    for (const name of snapshot.permissions) index.permissions.add(name);
    for (const t of snapshot.tokens) {
      const extra = t[10] || t[11] !== null ? { impersonatedBy: t[10], resource: t[11], actions: t[12] } : null;
      const slot = index.tokens.add({
        id: t[0],
        hash: t[1],
        kind: internKind(t[2]),
        owner: t[3] === null ? -1 : index.tokens.internOwner(t[3]),
        scopeList: index.tokens.internScopes(t[5] === '' ? [] : t[5].split(' ')),
        name: t[4],
        hint: t[6],
        createdAt: t[7],
        expiresAt: t[8],
        extra,
      });
      if (t[9]) index.tokens.revoke(slot);
    }
    return index;
  }
}

interface SnapshotHead extends TokenSideTables {
  /** 'TSX4': the counts of the lookup tables and the owner lists' ends. */
  lookup?: Omit<TokenLookup, 'byHash' | 'byId' | 'nextOfOwner'>;
  /** Absent from snapshots written before memberships were indexed. */
  memberships?: MembershipsSnapshot;
  owners: OwnerRecord[];
  permissions: string[];
  ownerIds: string[];
  scopeLists: string[][];
}

/** SHA-256 of a token, as the raw bytes the table keys on. */
function hashOf(token: string): Buffer {
  // crypto.hash: a third of createHash().update().digest() per call, on every authenticated request.
  return hash('sha256', token, 'buffer');
}

function padded(length: number): number {
  return Math.ceil(length / 8) * 8;
}

const KINDS = new Set<string>(TOKEN_KINDS);

function internKind(kind: string): TokenKind {
  if (!KINDS.has(kind)) throw new Error(`unknown token kind ${kind}`);
  return kind as TokenKind;
}
