import type { Holding, HoldingChanges } from '@tessera/access-rules';

/** One row of the holdings table: a holding valid over [validFrom, validTo) of recorded time. */
export interface HoldingRow {
  userId: string;
  datasetId: string;
  permission: string;
  groupId: string;
  /** null: the grant has no end. */
  expiresAt: Date | null;
  validFrom: Date;
  validTo: Date | null;
}

/** A closing of a row written by an earlier batch (still open in the table). */
export interface HoldingClosed {
  userId: string;
  datasetId: string;
  permission: string;
  groupId: string;
  at: Date;
}

/**
 * Whether a row says the user held the grant at `at`: inside its validity interval and before its
 * expiry. The as-of queries (access-queries.ts) spell this same condition in SQL.
 */
export function heldAt(row: Pick<HoldingRow, 'expiresAt' | 'validFrom' | 'validTo'>, at: Date): boolean {
  return row.validFrom <= at && (row.validTo === null || row.validTo > at) && (row.expiresAt === null || row.expiresAt > at);
}

/**
 * The writes of one batch, from the holding changes of its events in log order: rows it opens
 * (closed already when they also end in the batch) and rows of earlier batches it closes.
 */
export class HoldingRows {
  readonly opened: HoldingRow[] = [];
  readonly closed: HoldingClosed[] = [];
  private readonly openHere = new Map<string, HoldingRow>();

  add(changes: HoldingChanges, at: Date): void {
    for (const holding of changes.ended) {
      const key = keyOf(holding);
      const row = this.openHere.get(key);
      if (row) {
        row.validTo = at;
        this.openHere.delete(key);
      } else {
        this.closed.push({
          userId: holding.userId,
          datasetId: holding.datasetId,
          permission: holding.permission,
          groupId: holding.groupId,
          at,
        });
      }
    }
    for (const holding of changes.began) {
      const row: HoldingRow = {
        userId: holding.userId,
        datasetId: holding.datasetId,
        permission: holding.permission,
        groupId: holding.groupId,
        expiresAt: Number.isFinite(holding.expiresAt) ? new Date(holding.expiresAt) : null,
        validFrom: at,
        validTo: null,
      };
      this.opened.push(row);
      this.openHere.set(keyOf(holding), row);
    }
  }

  get size(): number {
    return this.opened.length + this.closed.length;
  }
}

function keyOf(holding: Holding): string {
  return `${holding.userId}\u0000${holding.datasetId}\u0000${holding.permission}\u0000${holding.groupId}`;
}
