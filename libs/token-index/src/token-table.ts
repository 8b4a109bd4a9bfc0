import { TOKEN_KINDS, type TokenKind } from '@tessera/contracts';

/** Fields only some tokens carry, kept off the common columns to save memory. */
export interface TokenExtra {
  impersonatedBy: string | null;
  resource: string | null;
  actions: string[] | null;
}

/** What a TokenMinted event puts in the table, already interned. */
export interface TokenRow {
  id: string;
  /** Hex SHA-256 of the token. */
  hash: string;
  kind: TokenKind;
  owner: number;
  scopeList: number;
  name: string;
  /** The hint (`tsrp_…9f3a`): only its last 4 characters are kept. */
  hint: string;
  createdAt: number;
  expiresAt: number;
  extra: TokenExtra | null;
}

/** Bits of `flags`: the kind's index in TOKEN_KINDS in the low nibble, then these. */
const REVOKED = 0x80;
const HAS_EXTRA = 0x40;
/** The id is not a lowercase canonical UUID: kept as a string in `oddIds`, its 16 bytes zero. */
const ODD_ID = 0x20;
export const LEGACY_HINT = 'legacy_';

/** The hint tail is not 4 ASCII characters: kept as a string in `oddHints`. */
const ODD_HINT = 0x10;
const KIND_BITS = 0x0f;
const KIND_INDEX = new Map<string, number>(TOKEN_KINDS.map((kind, index) => [kind, index]));

const HASH_BYTES = 32;
const ID_BYTES = 16;
const HINT_BYTES = 4;
const HASH_WORDS = HASH_BYTES / 4;
const ID_WORDS = ID_BYTES / 4;
const FIRST_CAPACITY = 1024;
/**
 * Bytes per slot of each column of `columnBytes`, in order: createdAt, expiresAt, owners, scopes,
 * nameEnds, hashes, ids, hints, flags. Numbers are in the machine's byte order (little-endian on
 * every platform Node.js supports here; TokenIndex refuses others).
 */
export const COLUMN_WIDTHS = [8, 8, 4, 4, 4, HASH_BYTES, ID_BYTES, HINT_BYTES, 1];
/** The alignment each column's array needs (hashes and ids are also read as 32-bit words). */
const COLUMN_ALIGNMENT = [8, 8, 4, 4, 4, 4, 4, 1, 1];

/**
 * Every token of the index as columns of typed arrays, one slot per TokenMinted in log order: a
 * million tokens take about 130 bytes each (hash, id, times, names) and no object the garbage
 * collector has to trace. Lookups by hash and by id go through open-addressing tables of slots.
 * Slots never move or disappear (a revocation sets a bit), so a slot is a stable handle.
 */
export class TokenTable {
  count = 0;
  private capacity = 0;
  hashes = new Uint8Array(0);
  /** The same memory as `hashes`: as a Buffer for hex writes, as 32-bit words to hash and compare. */
  private hashBytes = Buffer.alloc(0);
  private hashWords = new Int32Array(0);
  ids = new Uint8Array(0);
  private idWords = new Int32Array(0);
  flags = new Uint8Array(0);
  /** Index into `ownerIds`, or -1 for a token without owner (admin tokens). */
  owners = new Int32Array(0);
  /** Index into `scopeLists`. */
  scopes = new Uint32Array(0);
  createdAt = new Float64Array(0);
  expiresAt = new Float64Array(0);
  hints = new Uint8Array(0);
  /** UTF-8 names back to back; slot n's name ends at nameEnds[n] and starts where n - 1's ends. */
  nameEnds = new Uint32Array(0);
  names: Buffer = Buffer.alloc(0);
  namesLength = 0;
  /** Next slot of the same owner, -1 at the end (per-owner lists in mint order). */
  private nextOfOwner = new Int32Array(0);
  readonly oddIds = new Map<number, string>();
  private readonly slotOfOddId = new Map<string, number>();
  readonly oddHints = new Map<number, string>();
  readonly extras = new Map<number, TokenExtra>();

  /** Owner ids of tokens, interned: a million tokens of a thousand owners hold a thousand strings. */
  readonly ownerIds: string[] = [];
  private readonly ownerIndex = new Map<string, number>();
  private ownerHeads: number[] = [];
  private ownerTails: number[] = [];
  /** Owner index + 1 by the UUID of the owner id (ids that are canonical UUIDs), 0 = empty; their words in ownerUuids. */
  private ownerByUuid = new Int32Array(64);
  private ownerUuids = new Int32Array(0);
  private ownerUuidCount = 0;
  /** Distinct scope lists: a million tokens hold a handful, shared by every principal. */
  readonly scopeLists: string[][] = [];
  private readonly scopeListIndex = new Map<string, number>();
  /** The list interned last: consecutive mints mostly carry the same scopes. */
  private lastScopeList = -1;
  /** Its JSON as the log reader last saw it (addMinted). */
  private lastScopeBytes = Buffer.alloc(0);

  /** slot + 1 by SHA-256, 0 = empty; linear probing, at most half full. */
  private byHash = new Int32Array(0);
  private hashCount = 0;
  /** slot + 1 by UUID id, 0 = empty; odd ids are in `slotOfOddId`. */
  private byId = new Int32Array(0);
  private idCount = 0;
  /** The lookup tables are views of a snapshot's memory, as the adopted columns are (adoptLookup). */
  private lookupInSnapshot = false;
  /** A hash or id being looked up, as words, bytes and a Buffer over the same memory. */
  private readonly probeWords = new Int32Array(HASH_BYTES / 4);
  private readonly probeBytes = new Uint8Array(this.probeWords.buffer);
  private readonly probe = Buffer.from(this.probeWords.buffer);

  /** Distinct hashes (a re-minted hash replaces the earlier slot, as a Map would). */
  get size(): number {
    return this.hashCount;
  }

  internOwner(id: string): number {
    const known = this.ownerIndex.get(id);
    if (known !== undefined) return known;
    const index = this.ownerIds.length;
    this.ownerIds.push(id);
    this.ownerIndex.set(id, index);
    this.ownerHeads.push(-1);
    this.ownerTails.push(-1);
    if (writeUuid(id, this.probeBytes, 0)) this.indexOwnerUuid(index);
    return index;
  }

  /** As internOwner, from the UTF-8 bytes of the id: a known UUID is found by its 16 bytes, with no string made. */
  private internOwnerBytes(data: Uint8Array, at: number, length: number): number {
    if (writeUuidBytes(data, at, length, this.probeBytes, 0)) {
      const table = this.ownerByUuid;
      const mask = table.length - 1;
      const words = this.probeWords;
      const uuids = this.ownerUuids;
      for (let probe = idHash(words, 0) & mask; ; probe = (probe + 1) & mask) {
        const entry = table[probe];
        if (entry === 0) break;
        const from = (entry - 1) * ID_WORDS;
        if (uuids[from] === words[0] && uuids[from + 1] === words[1] && uuids[from + 2] === words[2] && uuids[from + 3] === words[3])
          return entry - 1;
      }
    }
    return this.internOwner(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8', at, at + length));
  }

  /** Adds owner `index`, whose UUID is in the probe, to ownerByUuid. */
  private indexOwnerUuid(index: number): void {
    if ((index + 1) * ID_WORDS > this.ownerUuids.length) {
      const uuids = new Int32Array(Math.max(64, this.ownerUuids.length * 2));
      uuids.set(this.ownerUuids);
      this.ownerUuids = uuids;
    }
    this.ownerUuids.set(this.probeWords.subarray(0, ID_WORDS), index * ID_WORDS);
    this.ownerUuidCount += 1;
    if (this.ownerUuidCount * 2 > this.ownerByUuid.length) {
      const table = new Int32Array(Math.max(64, this.ownerByUuid.length * 2));
      for (const entry of this.ownerByUuid) if (entry !== 0) insertWords(table, this.ownerUuids, entry - 1);
      this.ownerByUuid = table;
    }
    insertWords(this.ownerByUuid, this.ownerUuids, index);
  }

  internScopes(scopes: string[]): number {
    if (this.lastScopeList !== -1 && sameStrings(this.scopeLists[this.lastScopeList], scopes)) return this.lastScopeList;
    const key = JSON.stringify(scopes);
    let index = this.scopeListIndex.get(key);
    if (index === undefined) {
      index = this.scopeLists.length;
      this.scopeLists.push(scopes);
      this.scopeListIndex.set(key, index);
    }
    this.lastScopeList = index;
    return index;
  }

  /**
   * As add, from the fields of a TokenMinted (without extras) as UTF-8 bytes in `data`, where the
   * log reader found them (token-log.ts): field n starts at at[from + 2n] and is at[from + 2n + 1]
   * bytes long, -1 for null, in the order of MINTED_FIELDS. No string is made of what the columns
   * hold as bytes (hash, id, name, hint, times); the owner id is interned and the scopes list is
   * parsed only when it differs from the last one.
   */
  addMinted(data: Buffer, at: Int32Array, from: number): number {
    const slot = this.count;
    if (slot === this.capacity) this.resize(grownSize(this.capacity, FIRST_CAPACITY));
    let flags = kindOfBytes(data, at[from + 2 * MINTED.kind], at[from + 2 * MINTED.kind + 1]);
    const hashAt = at[from + 2 * MINTED.tokenHash];
    const hashLength = at[from + 2 * MINTED.tokenHash + 1];
    if (!writeHex(data, hashAt, hashLength, this.hashes, slot * HASH_BYTES)) {
      this.hashes.fill(0, slot * HASH_BYTES, (slot + 1) * HASH_BYTES);
      this.hashBytes.write(textOf(data, hashAt, hashLength) ?? '', slot * HASH_BYTES, HASH_BYTES, 'hex');
    }
    const idAt = at[from + 2 * MINTED.tokenId];
    const idLength = at[from + 2 * MINTED.tokenId + 1];
    if (!writeUuidBytes(data, idAt, idLength, this.ids, slot * ID_BYTES)) {
      flags |= ODD_ID;
      this.ids.fill(0, slot * ID_BYTES, (slot + 1) * ID_BYTES);
      this.oddIds.set(slot, textOf(data, idAt, idLength) ?? '');
    }
    const hintAt = at[from + 2 * MINTED.hint];
    const hintLength = at[from + 2 * MINTED.hint + 1];
    if (!hintTailOfBytes(data, hintAt, hintLength, this.hints, slot * HINT_BYTES)) {
      const hint = textOf(data, hintAt, hintLength) ?? '';
      flags |= ODD_HINT;
      this.hints.fill(0, slot * HINT_BYTES, (slot + 1) * HINT_BYTES);
      this.oddHints.set(slot, hint.startsWith(LEGACY_HINT) ? hint : hint.slice(-HINT_BYTES));
    }
    this.flags[slot] = flags;
    const ownerLength = at[from + 2 * MINTED.ownerId + 1];
    this.owners[slot] = ownerLength < 0 ? -1 : this.internOwnerBytes(data, at[from + 2 * MINTED.ownerId], ownerLength);
    this.scopes[slot] = this.internScopeBytes(data, at[from + 2 * MINTED.scopes], at[from + 2 * MINTED.scopes + 1]);
    this.createdAt[slot] = isoTimeOfBytes(data, at[from + 2 * MINTED.createdAt], at[from + 2 * MINTED.createdAt + 1]);
    const expiresLength = at[from + 2 * MINTED.expiresAt + 1];
    this.expiresAt[slot] = expiresLength < 0 ? 0 : isoTimeOfBytes(data, at[from + 2 * MINTED.expiresAt], expiresLength);
    const nameAt = at[from + 2 * MINTED.name];
    const nameLength = Math.max(0, at[from + 2 * MINTED.name + 1]);
    this.ensureNames(this.namesLength + nameLength);
    const names = this.names;
    const namesFrom = this.namesLength;
    for (let n = 0; n < nameLength; n += 1) names[namesFrom + n] = data[nameAt + n];
    this.namesLength += nameLength;
    if (this.namesLength > 0xffffffff) throw new Error('token names exceed 4 GiB');
    this.nameEnds[slot] = this.namesLength;
    this.count = slot + 1;
    this.index(slot);
    return slot;
  }

  /** The scopes list of a JSON array's bytes, parsed only when they differ from the bytes of the last one. */
  private internScopeBytes(data: Buffer, at: number, length: number): number {
    if (this.lastScopeList !== -1 && sameBytes(this.lastScopeBytes, data, at, length)) return this.lastScopeList;
    const scopes = JSON.parse(data.toString('utf8', at, at + Math.max(0, length))) as unknown;
    if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string'))
      throw new Error('token scopes are not a list of names');
    const index = this.internScopes(scopes as string[]);
    this.lastScopeBytes = Buffer.from(data.subarray(at, at + length));
    return index;
  }

  add(row: TokenRow): number {
    const slot = this.count;
    if (slot === this.capacity) this.resize(grownSize(this.capacity, FIRST_CAPACITY));
    let flags = KIND_INDEX.get(row.kind)!;
    // The bytes of a new slot are zero (arrays grow into zeroed memory): a short hash leaves zeros.
    this.hashBytes.write(row.hash, slot * HASH_BYTES, HASH_BYTES, 'hex');
    if (!writeUuid(row.id, this.ids, slot * ID_BYTES)) {
      flags |= ODD_ID;
      this.ids.fill(0, slot * ID_BYTES, (slot + 1) * ID_BYTES);
      this.oddIds.set(slot, row.id);
    }
    // A legacy token's hint (`legacy_…9f3a`, imported from middle_auth) is kept whole: it has no kind prefix.
    const legacy = row.hint.startsWith(LEGACY_HINT);
    if (legacy || !writeHintTail(row.hint, this.hints, slot * HINT_BYTES)) {
      flags |= ODD_HINT;
      this.hints.fill(0, slot * HINT_BYTES, (slot + 1) * HINT_BYTES);
      this.oddHints.set(slot, legacy ? row.hint : row.hint.slice(-HINT_BYTES));
    }
    if (row.extra) {
      flags |= HAS_EXTRA;
      this.extras.set(slot, row.extra);
    }
    this.flags[slot] = flags;
    this.owners[slot] = row.owner;
    this.scopes[slot] = row.scopeList;
    this.createdAt[slot] = row.createdAt;
    this.expiresAt[slot] = row.expiresAt;
    this.appendName(row.name);
    this.nameEnds[slot] = this.namesLength;
    this.count = slot + 1;
    this.index(slot);
    return slot;
  }

  revoke(slot: number): void {
    this.flags[slot] |= REVOKED;
  }

  /** By the SHA-256 as its 32 raw bytes. */
  slotOfHash(hash: Uint8Array): number {
    this.probeBytes.set(hash.subarray(0, HASH_BYTES));
    return this.findHash(this.probeWords);
  }

  /** By the hex SHA-256 of events. */
  slotOfHexHash(hex: string): number {
    this.probe.fill(0);
    this.probe.write(hex, 0, HASH_BYTES, 'hex');
    return this.findHash(this.probeWords);
  }

  slotOfId(id: string): number {
    if (!writeUuid(id, this.probeBytes, 0)) return this.slotOfOddId.get(id) ?? -1;
    return this.findId();
  }

  /** As slotOfId, from the UTF-8 bytes of the id. */
  slotOfIdBytes(data: Buffer, at: number, length: number): number {
    if (!writeUuidBytes(data, at, length, this.probeBytes, 0))
      return length < 0 ? -1 : (this.slotOfOddId.get(data.toString('utf8', at, at + length)) ?? -1);
    return this.findId();
  }

  /** The slot of the UUID in the first 16 bytes of the probe. */
  private findId(): number {
    const table = this.byId;
    const mask = table.length - 1;
    if (mask < 0) return -1;
    const words = this.probeWords;
    const ids = this.idWords;
    for (let at = idHash(words, 0) & mask; ; at = (at + 1) & mask) {
      const entry = table[at];
      if (entry === 0) return -1;
      const from = (entry - 1) * ID_WORDS;
      if (ids[from] === words[0] && ids[from + 1] === words[1] && ids[from + 2] === words[2] && ids[from + 3] === words[3])
        return entry - 1;
    }
  }

  private findHash(words: Int32Array): number {
    const table = this.byHash;
    const mask = table.length - 1;
    if (mask < 0) return -1;
    for (let at = words[0] & mask; ; at = (at + 1) & mask) {
      const entry = table[at];
      if (entry === 0) return -1;
      if (sameWords(this.hashWords, (entry - 1) * HASH_WORDS, words, 0, HASH_WORDS)) return entry - 1;
    }
  }

  slotsOf(ownerId: string): number[] {
    const owner = this.ownerIndex.get(ownerId);
    const slots: number[] = [];
    if (owner === undefined) return slots;
    for (let slot = this.ownerHeads[owner]; slot !== -1; slot = this.nextOfOwner[slot]) slots.push(slot);
    return slots;
  }

  kind(slot: number): TokenKind {
    return TOKEN_KINDS[this.flags[slot] & KIND_BITS];
  }
  revoked(slot: number): boolean {
    return (this.flags[slot] & REVOKED) !== 0;
  }
  ownerId(slot: number): string | null {
    const owner = this.owners[slot];
    return owner === -1 ? null : this.ownerIds[owner];
  }
  scopeList(slot: number): string[] {
    return this.scopeLists[this.scopes[slot]];
  }
  extra(slot: number): TokenExtra | null {
    return (this.flags[slot] & HAS_EXTRA) === 0 ? null : (this.extras.get(slot) ?? null);
  }
  id(slot: number): string {
    if ((this.flags[slot] & ODD_ID) !== 0) return this.oddIds.get(slot)!;
    return readUuid(this.ids, slot * ID_BYTES);
  }
  hashKey(slot: number): string {
    return Buffer.from(this.hashes.buffer, this.hashes.byteOffset + slot * HASH_BYTES, HASH_BYTES).toString('latin1');
  }
  hintTail(slot: number): string {
    if ((this.flags[slot] & ODD_HINT) !== 0) return this.oddHints.get(slot)!;
    const at = slot * HINT_BYTES;
    return String.fromCharCode(this.hints[at], this.hints[at + 1], this.hints[at + 2], this.hints[at + 3]);
  }
  name(slot: number): string {
    return this.names.toString('utf8', slot === 0 ? 0 : this.nameEnds[slot - 1], this.nameEnds[slot]);
  }

  /**
   * Fills an empty table from a snapshot's columns (the order of `columnBytes`). Columns aligned
   * for their arrays are adopted as they are, views of the snapshot's own memory: no copy, and no
   * second copy of a million tokens while the first waits for the garbage collector. The first
   * token added afterwards moves them into arrays with room to grow. Then rebuilds the lookup
   * tables and the per-owner lists.
   */
  load(count: number, columns: Uint8Array[], names: Uint8Array, side: TokenSideTables, lookup?: TokenLookup): void {
    columns.forEach((column, n) => {
      if (column.length !== count * COLUMN_WIDTHS[n]) throw new Error('token index snapshot column of the wrong size');
    });
    const aligned = columns.every((column, n) => column.byteOffset % COLUMN_ALIGNMENT[n] === 0);
    if (aligned) {
      this.adopt(count, columns, names);
    } else {
      this.resize(Math.max(FIRST_CAPACITY, Math.ceil(count * 1.25)));
      this.columnsOf(count).forEach((column, n) => column.set(columns[n]));
      this.ensureNames(names.length);
      this.names.set(names);
    }
    this.namesLength = names.length;
    for (const [slot, id] of side.oddIds) this.oddIds.set(slot, id);
    for (const [slot, hint] of side.oddHints) this.oddHints.set(slot, hint);
    for (const [slot, extra] of side.extras) this.extras.set(slot, extra);
    this.count = count;
    if (lookup) this.adoptLookup(count, lookup, aligned && lookup.byHash.byteOffset % 4 === 0 && lookup.byId.byteOffset % 4 === 0);
    // Otherwise lookup tables of their final size at once, filled in slot order (a later slot wins, as in add).
    this.byHash = lookup ? this.byHash : new Int32Array(tableSize(count));
    this.byId = lookup ? this.byId : new Int32Array(tableSize(count - this.oddIds.size));
    const ownerCount = this.ownerIds.length;
    let nameEnd = 0;
    for (let slot = 0; slot < count; slot += 1) {
      const owner = this.owners[slot];
      const flags = this.flags[slot];
      if (owner < -1 || owner >= ownerCount || this.scopes[slot] >= this.scopeLists.length)
        throw new Error('token index snapshot out of range');
      if (this.nameEnds[slot] < nameEnd || this.nameEnds[slot] > this.namesLength)
        throw new Error('token index snapshot names out of range');
      if ((flags & KIND_BITS) >= TOKEN_KINDS.length) throw new Error('token index snapshot holds an unknown kind');
      if ((flags & ODD_ID) !== 0 && !this.oddIds.has(slot)) throw new Error('token index snapshot lost an id');
      if ((flags & ODD_HINT) !== 0 && !this.oddHints.has(slot)) throw new Error('token index snapshot lost a hint');
      if ((flags & HAS_EXTRA) !== 0 && !this.extras.has(slot)) throw new Error('token index snapshot lost an extra');
      nameEnd = this.nameEnds[slot];
      if (!lookup) this.index(slot);
      else if ((flags & ODD_ID) !== 0) this.slotOfOddId.set(this.oddIds.get(slot)!, slot);
    }
  }

  /**
   * Takes a snapshot's lookup tables and owner lists (lookupParts) after checking that every entry
   * points at a token and every list ends: a damaged table can then only miss, never loop. The
   * tables are views of the snapshot when its columns are too (`asViews`), and move out with them
   * at the first resize, so they never keep the snapshot's memory alive on their own.
   */
  private adoptLookup(count: number, lookup: TokenLookup, asViews: boolean): void {
    const table = (bytes: Uint8Array, entries: number): Int32Array<ArrayBuffer> => {
      let words: Int32Array<ArrayBuffer>;
      if (asViews) {
        words = new Int32Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length / 4);
      } else {
        words = new Int32Array(bytes.length / 4);
        new Uint8Array(words.buffer).set(bytes);
      }
      const size = words.length;
      if (size === 0 && entries === 0) return words;
      if (size < FIRST_CAPACITY * 2 || (size & (size - 1)) !== 0 || entries * 2 > size)
        throw new Error('token index snapshot lookup table of the wrong size');
      let used = 0;
      for (let at = 0; at < size; at += 1) {
        const entry = words[at];
        if (entry < 0 || entry > count) throw new Error('token index snapshot lookup table out of range');
        if (entry !== 0) used += 1;
      }
      if (used !== entries) throw new Error('token index snapshot lookup table miscounted');
      return words;
    };
    this.byHash = table(lookup.byHash, lookup.hashCount);
    this.hashCount = lookup.hashCount;
    this.byId = table(lookup.byId, lookup.idCount);
    this.idCount = lookup.idCount;
    this.lookupInSnapshot = asViews;
    if (lookup.nextOfOwner.length !== count * 4) throw new Error('token index snapshot owner lists of the wrong size');
    const next = new Int32Array(Math.max(count, this.capacity));
    new Uint8Array(next.buffer).set(lookup.nextOfOwner);
    for (let slot = 0; slot < count; slot += 1) {
      if (next[slot] !== -1 && (next[slot] <= slot || next[slot] >= count))
        throw new Error('token index snapshot owner lists out of range');
    }
    const ends = (slots: number[]) => slots.length === this.ownerIds.length && slots.every((slot) => slot >= -1 && slot < count);
    if (!ends(lookup.ownerHeads) || !ends(lookup.ownerTails)) throw new Error('token index snapshot owner lists out of range');
    this.nextOfOwner = next;
    this.ownerHeads = [...lookup.ownerHeads];
    this.ownerTails = [...lookup.ownerTails];
  }

  /**
   * The lookup tables and owner lists for a snapshot (what load takes as `lookup`). The tables are
   * built afresh in slot order, as a load without them would: their layout then depends only on
   * the tokens, never on how this table grew, so the same events still give the same bytes.
   */
  lookupParts(): { bytes: Uint8Array[]; head: Omit<TokenLookup, 'byHash' | 'byId' | 'nextOfOwner'> } {
    const byHash = new Int32Array(tableSize(this.count));
    const byId = new Int32Array(tableSize(this.count - this.oddIds.size));
    let hashCount = 0;
    let idCount = 0;
    for (let slot = 0; slot < this.count; slot += 1) {
      if (this.insertHash(byHash, slot)) hashCount += 1;
      if ((this.flags[slot] & ODD_ID) === 0 && this.insertId(byId, slot)) idCount += 1;
    }
    const bytes = (array: Int32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    return {
      bytes: [bytes(byHash), bytes(byId), bytes(this.nextOfOwner.slice(0, this.count))],
      head: {
        hashSlots: byHash.length,
        hashCount,
        idSlots: byId.length,
        idCount,
        ownerHeads: [...this.ownerHeads],
        ownerTails: [...this.ownerTails],
      },
    };
  }

  /**
   * Room for `more` tokens beyond those held, made at once: a catch-up over a long log then never
   * copies its columns nor rehashes its lookup tables as they fill (a tenth of its time otherwise).
   */
  reserve(more: number): void {
    const wanted = this.count + more;
    if (wanted > this.capacity) this.resize(wanted);
    if (tableSize(wanted) > this.byHash.length) this.rehashHashes(tableSize(wanted));
    if (tableSize(wanted) > this.byId.length) this.rehashIds(tableSize(wanted));
  }

  /** Gives back the columns' room beyond the tokens held, when it is more than a sixteenth of them (after reserve). */
  trim(): void {
    if (this.capacity - this.count > (this.count >> 4) + FIRST_CAPACITY) this.resize(this.count + FIRST_CAPACITY);
    if (this.names.length - this.namesLength > (this.namesLength >> 4) + 64 * 1024) {
      const names = Buffer.alloc(this.namesLength + 64 * 1024);
      this.names.copy(names, 0, 0, this.namesLength);
      this.names = names;
    }
  }

  /** Takes snapshot columns as the table's arrays, full (the next add grows them); the names too. */
  private adopt(count: number, columns: Uint8Array[], names: Uint8Array): void {
    // Snapshots are read into ArrayBuffers of their own, never shared ones.
    const memory = (column: Uint8Array) => column.buffer as ArrayBuffer;
    const [createdAt, expiresAt, owners, scopes, nameEnds, hashes, ids, hints, flags] = columns;
    this.createdAt = new Float64Array(memory(createdAt), createdAt.byteOffset, count);
    this.expiresAt = new Float64Array(memory(expiresAt), expiresAt.byteOffset, count);
    this.owners = new Int32Array(memory(owners), owners.byteOffset, count);
    this.scopes = new Uint32Array(memory(scopes), scopes.byteOffset, count);
    this.nameEnds = new Uint32Array(memory(nameEnds), nameEnds.byteOffset, count);
    this.hashes = new Uint8Array(memory(hashes), hashes.byteOffset, hashes.length);
    this.hashBytes = Buffer.from(memory(hashes), hashes.byteOffset, hashes.length);
    this.hashWords = new Int32Array(memory(hashes), hashes.byteOffset, count * HASH_WORDS);
    this.ids = new Uint8Array(memory(ids), ids.byteOffset, ids.length);
    this.idWords = new Int32Array(memory(ids), ids.byteOffset, count * ID_WORDS);
    this.hints = new Uint8Array(memory(hints), hints.byteOffset, hints.length);
    this.flags = new Uint8Array(memory(flags), flags.byteOffset, flags.length);
    this.nextOfOwner = new Int32Array(count);
    this.names = Buffer.from(memory(names), names.byteOffset, names.length);
    this.capacity = count;
  }

  /** The used bytes of every column, in snapshot order, then the names. */
  columnBytes(): { columns: Uint8Array[]; names: Uint8Array } {
    return { columns: this.columnsOf(this.count), names: this.names.subarray(0, this.namesLength) };
  }

  private columnsOf(count: number): Uint8Array[] {
    const arrays = [this.createdAt, this.expiresAt, this.owners, this.scopes, this.nameEnds, this.hashes, this.ids, this.hints, this.flags];
    return arrays.map((array, n) => new Uint8Array(array.buffer, array.byteOffset, count * COLUMN_WIDTHS[n]));
  }

  /** Adds a slot to the lookup tables and to its owner's list. */
  private index(slot: number): void {
    if ((this.hashCount + 1) * 2 > this.byHash.length) this.rehashHashes(Math.max(FIRST_CAPACITY * 2, this.byHash.length * 2));
    if (this.insertHash(this.byHash, slot)) this.hashCount += 1;
    if ((this.flags[slot] & ODD_ID) !== 0) {
      this.slotOfOddId.set(this.oddIds.get(slot)!, slot);
    } else {
      if ((this.idCount + 1) * 2 > this.byId.length) this.rehashIds(Math.max(FIRST_CAPACITY * 2, this.byId.length * 2));
      if (this.insertId(this.byId, slot)) this.idCount += 1;
    }
    this.nextOfOwner[slot] = -1;
    const owner = this.owners[slot];
    if (owner !== -1) {
      const tail = this.ownerTails[owner];
      if (tail === -1) this.ownerHeads[owner] = slot;
      else this.nextOfOwner[tail] = slot;
      this.ownerTails[owner] = slot;
    }
  }

  /** True when the hash was new; a known hash now points at the newer slot. */
  private insertHash(table: Int32Array, slot: number): boolean {
    const mask = table.length - 1;
    const words = this.hashWords;
    const from = slot * HASH_WORDS;
    for (let at = words[from] & mask; ; at = (at + 1) & mask) {
      const entry = table[at];
      if (entry === 0) {
        table[at] = slot + 1;
        return true;
      }
      if (sameWords(words, (entry - 1) * HASH_WORDS, words, from, HASH_WORDS)) {
        table[at] = slot + 1;
        return false;
      }
    }
  }

  private insertId(table: Int32Array, slot: number): boolean {
    const mask = table.length - 1;
    const words = this.idWords;
    const from = slot * ID_WORDS;
    for (let at = idHash(words, from) & mask; ; at = (at + 1) & mask) {
      const entry = table[at];
      if (entry === 0) {
        table[at] = slot + 1;
        return true;
      }
      if (sameWords(words, (entry - 1) * ID_WORDS, words, from, ID_WORDS)) {
        table[at] = slot + 1;
        return false;
      }
    }
  }

  /** Moves every entry to a table of `size`, in the order of the old table (which keeps the writes close together). */
  private rehashHashes(size: number): void {
    const table = new Int32Array(size);
    for (const entry of this.byHash) if (entry !== 0) this.insertHash(table, entry - 1);
    this.byHash = table;
  }

  private rehashIds(size: number): void {
    const table = new Int32Array(size);
    for (const entry of this.byId) if (entry !== 0) this.insertId(table, entry - 1);
    this.byId = table;
  }

  private resize(capacity: number): void {
    const used = this.count;
    if (this.lookupInSnapshot) {
      this.byHash = this.byHash.slice();
      this.byId = this.byId.slice();
      this.lookupInSnapshot = false;
    }
    this.hashes = grown(this.hashes, new Uint8Array(capacity * HASH_BYTES), used * HASH_BYTES);
    this.hashBytes = Buffer.from(this.hashes.buffer, this.hashes.byteOffset, this.hashes.byteLength);
    this.hashWords = new Int32Array(this.hashes.buffer, this.hashes.byteOffset, capacity * HASH_WORDS);
    this.ids = grown(this.ids, new Uint8Array(capacity * ID_BYTES), used * ID_BYTES);
    this.idWords = new Int32Array(this.ids.buffer, this.ids.byteOffset, capacity * ID_WORDS);
    this.flags = grown(this.flags, new Uint8Array(capacity), used);
    this.owners = grown(this.owners, new Int32Array(capacity), used);
    this.scopes = grown(this.scopes, new Uint32Array(capacity), used);
    this.createdAt = grown(this.createdAt, new Float64Array(capacity), used);
    this.expiresAt = grown(this.expiresAt, new Float64Array(capacity), used);
    this.hints = grown(this.hints, new Uint8Array(capacity * HINT_BYTES), used * HINT_BYTES);
    this.nameEnds = grown(this.nameEnds, new Uint32Array(capacity), used);
    this.nextOfOwner = grown(this.nextOfOwner, new Int32Array(capacity), used);
    this.capacity = capacity;
  }

  private appendName(name: string): void {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes.
    this.ensureNames(this.namesLength + name.length * 3);
    const names = this.names;
    const from = this.namesLength;
    // ASCII, the usual name, byte by byte; anything else through the UTF-8 encoder.
    let n = 0;
    for (; n < name.length; n += 1) {
      const code = name.charCodeAt(n);
      if (code >= 128) break;
      names[from + n] = code;
    }
    this.namesLength += n === name.length ? n : names.write(name, from, 'utf8');
    if (this.namesLength > 0xffffffff) throw new Error('token names exceed 4 GiB');
  }

  private ensureNames(length: number): void {
    if (length <= this.names.length) return;
    let size = grownSize(this.names.length, 64 * 1024);
    while (size < length) size = grownSize(size, 64 * 1024);
    const names = Buffer.alloc(size);
    this.names.copy(names, 0, 0, this.namesLength);
    this.names = names;
  }
}

/** A snapshot's lookup tables (as bytes in the machine's order) and owner lists, so a load need not rebuild them. */
export interface TokenLookup {
  byHash: Uint8Array;
  byId: Uint8Array;
  nextOfOwner: Uint8Array;
  hashSlots: number;
  hashCount: number;
  idSlots: number;
  idCount: number;
  ownerHeads: number[];
  ownerTails: number[];
}

/** What does not fit the columns: odd ids and hints, and the extras of impersonation and resource tokens. */
export interface TokenSideTables {
  oddIds: [number, string][];
  oddHints: [number, string][];
  extras: [number, TokenExtra][];
}

function grown<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(old: T, next: T, used: number): T {
  next.set(old.subarray(0, used) as never);
  return next;
}

/** Columns grow by half: a million tokens leave at most half a million slots unused, not a million. */
function grownSize(size: number, least: number): number {
  return Math.max(least, Math.ceil(size * 1.5));
}

/** A lookup table at most half full for `entries`. */
function tableSize(entries: number): number {
  let size = FIRST_CAPACITY * 2;
  while ((entries + 1) * 2 > size) size *= 2;
  return size;
}

/** Mixes all 16 bytes: UUIDs other than v4 (v1, v7) keep their randomness in different bytes. */
function idHash(words: Int32Array, at: number): number {
  let hash = Math.imul(words[at], 0x9e3779b1);
  hash = Math.imul(hash ^ words[at + 1] ^ (hash >>> 15), 0x85ebca6b);
  hash = Math.imul(hash ^ words[at + 2] ^ (hash >>> 13), 0xc2b2ae35);
  hash = Math.imul(hash ^ words[at + 3] ^ (hash >>> 16), 0x27d4eb2f);
  return hash ^ (hash >>> 15);
}

function sameWords(a: Int32Array, aAt: number, b: Int32Array, bAt: number, length: number): boolean {
  for (let n = 0; n < length; n += 1) if (a[aAt + n] !== b[bAt + n]) return false;
  return true;
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit += 1) HEX_VALUE['0123456789abcdef'.charCodeAt(digit)] = digit;
const HEX_PAIR = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const DASH = 45;

/** Writes a lowercase canonical UUID as 16 bytes; false (nothing meaningful written) for any other string. */
function writeUuid(id: string, out: Uint8Array, at: number): boolean {
  if (id.length !== 36) return false;
  let byte = 0;
  for (let n = 0; n < 36; n += 1) {
    const code = id.charCodeAt(n);
    if (n === 8 || n === 13 || n === 18 || n === 23) {
      if (code !== DASH) return false;
      continue;
    }
    const high = code < 128 ? HEX_VALUE[code] : -1;
    n += 1;
    const second = id.charCodeAt(n);
    const low = second < 128 ? HEX_VALUE[second] : -1;
    if (high < 0 || low < 0) return false;
    out[at + byte] = (high << 4) | low;
    byte += 1;
  }
  return true;
}

function readUuid(bytes: Uint8Array, at: number): string {
  const h = (n: number) => HEX_PAIR[bytes[at + n]];
  return (
    h(0) +
    h(1) +
    h(2) +
    h(3) +
    '-' +
    h(4) +
    h(5) +
    '-' +
    h(6) +
    h(7) +
    '-' +
    h(8) +
    h(9) +
    '-' +
    h(10) +
    h(11) +
    h(12) +
    h(13) +
    h(14) +
    h(15)
  );
}

/** The last 4 characters of a hint as 4 bytes, when they are 4 ASCII characters. */
function writeHintTail(hint: string, out: Uint8Array, at: number): boolean {
  const from = hint.length - HINT_BYTES;
  if (from < 0) return false;
  for (let n = 0; n < HINT_BYTES; n += 1) {
    const code = hint.charCodeAt(from + n);
    if (code >= 128) return false;
    out[at + n] = code;
  }
  return true;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let n = 0; n < a.length; n += 1) if (a[n] !== b[n]) return false;
  return true;
}

/** The order of the fields addMinted reads. */
export const MINTED_FIELDS = ['tokenId', 'tokenHash', 'kind', 'ownerId', 'name', 'scopes', 'hint', 'createdAt', 'expiresAt'] as const;
const MINTED = Object.fromEntries(MINTED_FIELDS.map((field, n) => [field, n])) as Record<(typeof MINTED_FIELDS)[number], number>;

/** Bytes of each kind's name, by index in TOKEN_KINDS. */
const KIND_BYTES = TOKEN_KINDS.map((kind) => Buffer.from(kind, 'latin1'));

function kindOfBytes(data: Buffer, at: number, length: number): number {
  for (let kind = 0; kind < KIND_BYTES.length; kind += 1) if (sameBytes(KIND_BYTES[kind], data, at, length)) return kind;
  throw new Error(`unknown token kind ${textOf(data, at, length)}`);
}

/** True when `data` holds the bytes of `known` at `at`, `length` long. */
function sameBytes(known: Uint8Array, data: Uint8Array, at: number, length: number): boolean {
  if (known.length !== length) return false;
  for (let n = 0; n < length; n += 1) if (known[n] !== data[at + n]) return false;
  return true;
}

/** The UTF-8 text of a field (length -1: null). */
function textOf(data: Buffer, at: number, length: number): string | null {
  return length < 0 ? null : data.toString('utf8', at, at + length);
}

/** Inserts entry `index` of `words` (4 a UUID) into an open-addressing table of index + 1. */
function insertWords(table: Int32Array, words: Int32Array, index: number): void {
  const mask = table.length - 1;
  let at = idHash(words, index * ID_WORDS) & mask;
  while (table[at] !== 0) at = (at + 1) & mask;
  table[at] = index + 1;
}

/** 64 hex digits as 32 bytes; false (nothing meaningful written) for anything else. */
function writeHex(data: Uint8Array, at: number, length: number, out: Uint8Array, to: number): boolean {
  if (length !== HASH_BYTES * 2) return false;
  for (let n = 0; n < HASH_BYTES; n += 1) {
    const a = data[at + 2 * n];
    const b = data[at + 2 * n + 1];
    const high = a < 128 ? HEX_VALUE[a] : -1;
    const low = b < 128 ? HEX_VALUE[b] : -1;
    if ((high | low) < 0) return false;
    out[to + n] = (high << 4) | low;
  }
  return true;
}

/** As writeUuid, from the UTF-8 bytes of the id. */
function writeUuidBytes(data: Uint8Array, at: number, length: number, out: Uint8Array, to: number): boolean {
  if (length !== 36) return false;
  let byte = 0;
  for (let n = 0; n < 36; n += 1) {
    const code = data[at + n];
    if (n === 8 || n === 13 || n === 18 || n === 23) {
      if (code !== DASH) return false;
      continue;
    }
    const high = code < 128 ? HEX_VALUE[code] : -1;
    n += 1;
    const second = data[at + n];
    const low = second < 128 ? HEX_VALUE[second] : -1;
    if (high < 0 || low < 0) return false;
    out[to + byte] = (high << 4) | low;
    byte += 1;
  }
  return true;
}

const LEGACY_HINT_BYTES = Buffer.from(LEGACY_HINT, 'latin1');

/** As writeHintTail, from the UTF-8 bytes of the hint (UTF-8 continuation bytes are never ASCII); false for a legacy hint. */
function hintTailOfBytes(data: Buffer, at: number, length: number, out: Uint8Array, to: number): boolean {
  if (length < HINT_BYTES) return false;
  if (length >= LEGACY_HINT_BYTES.length && sameBytes(LEGACY_HINT_BYTES, data, at, LEGACY_HINT_BYTES.length)) return false;
  const from = at + length - HINT_BYTES;
  for (let n = 0; n < HINT_BYTES; n += 1) {
    const code = data[from + n];
    if (code >= 128) return false;
    out[to + n] = code;
  }
  return true;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Date.parse of the UTF-8 bytes of a time. What toISOString writes (`2026-01-01T00:00:00.000Z`,
 * every time the app stores) is read digit by digit; anything else goes through Date.parse.
 */
function isoTimeOfBytes(data: Buffer, at: number, length: number): number {
  if (
    length === 24 &&
    data[at + 4] === 45 &&
    data[at + 7] === 45 &&
    data[at + 10] === 84 &&
    data[at + 13] === 58 &&
    data[at + 16] === 58 &&
    data[at + 19] === 46 &&
    data[at + 23] === 90
  ) {
    const year = digits(data, at, 4);
    const month = digits(data, at + 5, 2);
    const day = digits(data, at + 8, 2);
    const hour = digits(data, at + 11, 2);
    const minute = digits(data, at + 14, 2);
    const second = digits(data, at + 17, 2);
    const milli = digits(data, at + 20, 3);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (
      year >= 1000 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]) &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59 &&
      milli >= 0
    )
      return Date.UTC(year, month - 1, day, hour, minute, second, milli);
  }
  return Date.parse(String(textOf(data, at, length)));
}

/** The number `count` ASCII digits write, or -1 when one is not a digit. */
function digits(data: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let n = 0; n < count; n += 1) {
    const digit = data[at + n] - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
