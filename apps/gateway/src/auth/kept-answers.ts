import type { ServedAnswer } from '@tessera/messaging';

/** Bytes of kept answers beyond which the oldest are forgotten (memory stays bounded). */
const MAX_KEPT_BYTES = 64 * 1024 * 1024;

/** About what one kept answer costs besides its body and key: the map entry and three small objects. */
const ENTRY_BYTES = 256;

/** Users whose last change is remembered one by one; beyond, every answer must reflect the last. */
const MAX_USERS_REMEMBERED = 100_000;

/** Whose answer it is: a change to that user forgets it; one to any user forgets a service account's. */
export interface Owner {
  userId: string;
  serviceAccount: boolean;
}

interface Kept {
  answer: ServedAnswer;
  /** What it counts for against MAX_KEPT_BYTES. */
  bytes: number;
  /** The answer's revision as a number. */
  revision: number;
  validUntil: number;
  owner: Owner;
}

/**
 * Answers about a caller (its permissions, its middle_auth user cache, its checks) as an app gave
 * them, kept by key until they may have changed. An answer at revision R holds while no event after R
 * that could change it has been seen, and until its own `validUntil` (a grant's expiry, an
 * affiliation's end). An event may change anybody's answers (`changed`) or one user's
 * (`changedFor`): that user's, and every service account's, which relies on its parent's terms
 * acceptances. An answer older than the last change seen that could touch it is not kept at all: it
 * was made before that change. Pure: what counts as a change and the clock are the caller's.
 */
export class KeptAnswers {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;
  /** Position of the last change seen that could touch anybody: an answer must reflect at least this. */
  private changedAt: number;
  /** Per user, the position of the last change seen that touched that user alone. */
  private readonly userChangedAt = new Map<string, number>();
  /** The last of those: a service account's answer must reflect it. */
  private anyUserChangedAt = 0;

  constructor(changedAt = 0) {
    this.changedAt = changedAt;
  }

  /** An event at `position` may change any answer: those that do not reflect it are forgotten. */
  changed(position: number): void {
    if (position <= this.changedAt) return;
    this.changedAt = position;
    for (const [key, kept] of this.kept) if (kept.revision < position) this.forget(key, kept);
  }

  /** Events may change the answers of these users (each with the position of its last such event). */
  changedFor(users: ReadonlyMap<string, number>): void {
    for (const [userId, position] of users) {
      if (position > (this.userChangedAt.get(userId) ?? 0)) this.userChangedAt.set(userId, position);
      if (position > this.anyUserChangedAt) this.anyUserChangedAt = position;
    }
    if (this.userChangedAt.size > MAX_USERS_REMEMBERED) {
      // Who changed when is forgotten: every answer must reflect the last change to anyone.
      this.userChangedAt.clear();
      this.changed(this.anyUserChangedAt);
    }
    for (const [key, kept] of this.kept) if (kept.revision < this.mustReflect(kept.owner)) this.forget(key, kept);
  }

  /** The kept answer for `key` that still holds at `now` and reflects `minRevision`, if any. */
  get(key: string, now: number, minRevision?: number): ServedAnswer | undefined {
    const kept = this.kept.get(key);
    if (kept === undefined) return undefined;
    if (now >= kept.validUntil) {
      this.forget(key, kept);
      return undefined;
    }
    if (minRevision !== undefined && kept.revision < minRevision) return undefined;
    return kept.answer;
  }

  /** Keeps `owner`'s `answer` for `key` if it reflects every change seen that could touch it and says until when it holds. */
  keep(key: string, answer: ServedAnswer, now: number, owner: Owner): void {
    const revision = Number(answer.revision);
    const validUntil = answer.validUntil;
    if (!Number.isSafeInteger(revision) || revision < this.mustReflect(owner)) return;
    if (validUntil === undefined || Number.isNaN(validUntil) || now >= validUntil) return;
    const previous = this.kept.get(key);
    if (previous) this.forget(key, previous);
    const bytes = answer.body.byteLength + 2 * key.length + ENTRY_BYTES;
    this.kept.set(key, { answer, bytes, revision, validUntil, owner });
    this.bytes += bytes;
    for (const [oldest, kept] of this.kept) {
      if (this.bytes <= MAX_KEPT_BYTES) break;
      this.forget(oldest, kept);
    }
  }

  get size(): number {
    return this.kept.size;
  }

  /** The position an answer of `owner` must reflect to be kept. */
  private mustReflect(owner: Owner): number {
    const own = owner.serviceAccount ? this.anyUserChangedAt : (this.userChangedAt.get(owner.userId) ?? 0);
    return Math.max(this.changedAt, own);
  }

  private forget(key: string, kept: Kept): void {
    this.kept.delete(key);
    this.bytes -= kept.bytes;
  }
}
