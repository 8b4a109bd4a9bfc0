import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { IDENTITY_EVENTS, POLICY_EVENTS, TOKEN_EVENTS } from '@tessera/contracts';
import { generateToken, hashToken, tokenHint } from '@tessera/token-index';

/** An event to seed: what the apps would append. */
export interface SeedEvent {
  streamId: string;
  type: string;
  data: object;
}

const CHUNK = 10_000;

/**
 * Appends events straight into the log, many thousands a statement, after its head and under the
 * head's row lock as every append takes it (so running apps see them in order, as any append).
 * Stream versions continue each stream's own.
 */
export async function seedEvents(pool: Pool, events: SeedEvent[]): Promise<number> {
  return underHeadLock(pool, async (client, head) => {
    const streams = [...new Set(events.map((event) => event.streamId))];
    const known = await client.query<{ stream_id: string; version: number }>(
      'SELECT stream_id, max(stream_version) AS version FROM event_store.events WHERE stream_id = ANY($1) GROUP BY stream_id',
      [streams],
    );
    const versions = new Map(known.rows.map((row) => [row.stream_id, row.version]));
    let position = head;
    for (let start = 0; start < events.length; start += CHUNK) {
      const columns = {
        position: [] as number[],
        stream: [] as string[],
        version: [] as number[],
        type: [] as string[],
        data: [] as string[],
      };
      for (const event of events.slice(start, start + CHUNK)) {
        const version = (versions.get(event.streamId) ?? 0) + 1;
        versions.set(event.streamId, version);
        columns.position.push(++position);
        columns.stream.push(event.streamId);
        columns.version.push(version);
        columns.type.push(event.type);
        columns.data.push(JSON.stringify(event.data));
      }
      await client.query(
        `INSERT INTO event_store.events (position, stream_id, stream_version, type, schema_version, data, metadata)
         SELECT p, s, v, t, 1, d, '{"actor":"bench"}' FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::jsonb[]) AS x(p, s, v, t, d)`,
        [columns.position, columns.stream, columns.version, columns.type, columns.data],
      );
    }
    return position;
  });
}

/**
 * Appends `count` personal-token mints built by PostgreSQL (generate_series), 100,000 a statement:
 * a big token index in seconds. Their secrets are unknown (the hash is of a number), so they only
 * fill the index; 1,000 owners who are not users.
 */
export async function seedFillerTokens(pool: Pool, count: number): Promise<number> {
  return underHeadLock(pool, async (client, head) => {
    for (let from = 1; from <= count; from += 100_000) {
      const to = Math.min(count, from + 99_999);
      await client.query(
        `INSERT INTO event_store.events (position, stream_id, stream_version, type, schema_version, data, metadata)
         SELECT $3::bigint + g, 'token-' || md5('filler' || g)::uuid, 1, 'TokenMinted', 1,
                jsonb_build_object('tokenId', md5('filler' || g)::uuid, 'tokenHash', encode(sha256(('filler' || g)::bytea), 'hex'),
                  'kind', 'personal', 'ownerId', md5('owner' || (g % 1000))::uuid, 'name', 'token ' || g,
                  'scopes', jsonb_build_array('view'), 'hint', 'tsrp_…' || substr(md5(g::text), 1, 4),
                  'createdAt', '2026-01-01T00:00:00.000Z', 'expiresAt', null),
                '{"actor":"bench"}'
           FROM generate_series($1::bigint, $2::bigint) AS g`,
        [from, to, head],
      );
    }
    return head + count;
  });
}

async function underHeadLock(pool: Pool, work: (client: PoolClient, head: number) => Promise<number>): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const head = Number((await client.query<{ position: string }>('SELECT position FROM event_store.head FOR UPDATE')).rows[0].position);
    const position = await work(client, head);
    await client.query('UPDATE event_store.head SET position = $1', [position]);
    await client.query('COMMIT');
    return position;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export interface BenchUser {
  id: string;
  name: string;
  /** Scopes `*` and `tokens` (it may list its owner's tokens). */
  token: string;
  tokenId: string;
  /** Scopes `edit` only: a check of `view` is refused `insufficient_scope`. */
  limitedToken: string;
  /** Minted, then revoked. */
  revokedToken: string;
  groups: number[];
}

export interface BenchDataset {
  id: string;
  name: string;
  /** Groups (by number) holding `view`. */
  viewers: Set<number>;
  /** Whether it has terms of service (which nobody has accepted). */
  tos: boolean;
}

/**
 * A policy world whose answers the benchmark knows: users in groups, datasets granted to groups
 * (`view` and `edit` alternating, 50 groups each by default), terms of service on one dataset in
 * ten, and three tokens per user (full, scoped to `edit`, revoked).
 */
export class BenchWorld {
  readonly users: BenchUser[] = [];
  readonly groups: string[] = [];
  readonly datasets: BenchDataset[] = [];
  readonly events: SeedEvent[] = [];

  constructor(sizes: { users: number; groups: number; datasets: number; grants: number; groupsPerUser: number }) {
    const createdAt = new Date().toISOString();
    for (let g = 0; g < sizes.groups; g += 1) {
      const groupId = randomUUID();
      this.groups.push(groupId);
      this.events.push({ streamId: `group-${groupId}`, type: POLICY_EVENTS.groupCreated, data: { groupId, name: `bench-group-${g}` } });
    }
    for (let d = 0; d < sizes.datasets; d += 1) {
      const dataset: BenchDataset = { id: randomUUID(), name: `bench-dataset-${d}`, viewers: new Set(), tos: d % 10 === 0 };
      this.datasets.push(dataset);
      const streamId = `dataset-${dataset.id}`;
      this.events.push({
        streamId,
        type: POLICY_EVENTS.datasetCreated,
        data: { datasetId: dataset.id, name: dataset.name, description: null },
      });
      if (dataset.tos) {
        this.events.push({
          streamId,
          type: POLICY_EVENTS.tosPublished,
          data: { tosId: randomUUID(), datasetId: dataset.id, version: 1, title: 'terms', text: 'be nice' },
        });
      }
    }
    for (let u = 0; u < sizes.users; u += 1) {
      const user: BenchUser = {
        id: randomUUID(),
        name: `bench-user-${u}`,
        token: generateToken('personal'),
        tokenId: randomUUID(),
        limitedToken: generateToken('personal'),
        revokedToken: generateToken('personal'),
        groups: Array.from({ length: sizes.groupsPerUser }, (_, k) => (u * 7 + k * 331) % sizes.groups),
      };
      this.users.push(user);
      this.events.push({
        streamId: `user-${user.id}`,
        type: IDENTITY_EVENTS.userRegistered,
        data: { userId: user.id, name: user.name, email: null, admin: false, readOnly: false, issuer: null, subject: null },
      });
      const mint = (token: string, tokenId: string, scopes: string[]) =>
        this.events.push({
          streamId: `token-${tokenId}`,
          type: TOKEN_EVENTS.tokenMinted,
          data: {
            tokenId,
            tokenHash: hashToken(token),
            kind: 'personal',
            ownerId: user.id,
            name: 'bench',
            scopes,
            hint: tokenHint(token),
            createdAt,
            expiresAt: null,
          },
        });
      mint(user.token, user.tokenId, ['*', 'tokens']);
      mint(user.limitedToken, randomUUID(), ['edit']);
      const revokedId = randomUUID();
      mint(user.revokedToken, revokedId, ['*']);
      this.events.push({ streamId: `token-${revokedId}`, type: TOKEN_EVENTS.tokenRevoked, data: { tokenId: revokedId, reason: 'owner' } });
      for (const group of user.groups) {
        const groupId = this.groups[group];
        this.events.push({
          streamId: `group-${groupId}`,
          type: POLICY_EVENTS.groupMemberAdded,
          data: { groupId, userId: user.id, admin: false },
        });
      }
    }
    for (let index = 0; index < sizes.grants; index += 1) {
      const dataset = this.datasets[index % sizes.datasets];
      const round = Math.floor(index / sizes.datasets);
      const group = (index * 13 + round * 97) % sizes.groups;
      const permission = round % 2 === 0 ? 'view' : 'edit';
      if (permission === 'view') dataset.viewers.add(group);
      this.events.push({
        streamId: `dataset-${dataset.id}`,
        type: POLICY_EVENTS.permissionGranted,
        data: { datasetId: dataset.id, groupId: this.groups[group], permission, expiresAt: null },
      });
    }
  }

  /** Whether one of the user's groups holds `view` on the dataset (CONTRACT section 5, before TOS and scopes). */
  holdsView(user: BenchUser, dataset: BenchDataset): boolean {
    return user.groups.some((group) => dataset.viewers.has(group));
  }

  /**
   * A dataset (scanned from a point set by `seed`) the user holds `view` on, or not, with or
   * without terms of service; undefined when there is none.
   */
  findDataset(user: BenchUser, seed: number, wanted: { holds: boolean; tos?: boolean }): BenchDataset | undefined {
    for (let k = 0; k < this.datasets.length; k += 1) {
      const dataset = this.datasets[(seed + k) % this.datasets.length];
      if (this.holdsView(user, dataset) === wanted.holds && (wanted.tos === undefined || dataset.tos === wanted.tos)) return dataset;
    }
    return undefined;
  }
}

/** The reasons a check is refused in the policy-check workload, taken in turns. */
export const REFUSALS = ['no_permission', 'unknown_dataset', 'missing_tos', 'insufficient_scope', 'revoked_token'] as const;

export interface Check {
  payload: { token: string; permission: 'view'; dataset: string };
  /** `granted`, or the reason of the refusal. */
  expected: string;
}

/** `count` checks of `view`: every other one allowed, the rest refused for each of REFUSALS in turn. */
export function checksOf(world: BenchWorld, count: number): Check[] {
  const checks: Check[] = [];
  for (let i = 0; checks.length < count; i += 1) {
    const user = world.users[(i * 37) % world.users.length];
    const expected = checks.length % 2 === 0 ? 'granted' : REFUSALS[(checks.length >> 1) % REFUSALS.length];
    const seed = i * 11;
    let token = user.token;
    let dataset: BenchDataset | undefined;
    if (expected === 'granted' || expected === 'insufficient_scope') dataset = world.findDataset(user, seed, { holds: true, tos: false });
    if (expected === 'insufficient_scope') token = user.limitedToken;
    if (expected === 'no_permission') dataset = world.findDataset(user, seed, { holds: false });
    if (expected === 'missing_tos') dataset = world.findDataset(user, seed, { holds: true, tos: true });
    if (expected === 'revoked_token') {
      token = user.revokedToken;
      dataset = world.datasets[seed % world.datasets.length];
    }
    const name = expected === 'unknown_dataset' ? `no-such-dataset-${i}` : dataset?.name;
    // A user with no such dataset: the next user takes the turn.
    if (name === undefined) continue;
    checks.push({ payload: { token, permission: 'view', dataset: name }, expected });
  }
  return checks;
}
