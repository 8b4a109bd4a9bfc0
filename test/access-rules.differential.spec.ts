import fc from 'fast-check';
import type { TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';
import { AccessProjector } from '../apps/audit/src/access/access-projector';
import { heldAt, type HoldingRow, type HoldingRows } from '../apps/audit/src/access/holding-rows';
import { DecisionIndex } from '../apps/policy/src/decisions/decision-index';
import { answersTouched } from '../apps/gateway/src/auth/answers-touched';
import { userCacheJson, userCacheOf } from '../apps/policy/src/middle-auth/user-cache';

/**
 * One rule book, two readers: random histories of identity and policy events go through the
 * policy app's decision index (live decisions, me-permissions) and through the audit app's
 * projector (holding rows, written in random batches, read back at a moment as its SQL does).
 * At every position, what user U held on dataset D must be the same on both sides.
 * Replay a failure with ACCESS_RULES_SEED=<seed> (and ACCESS_RULES_PATH=<path>) from its message.
 */
const RUNS = Number(process.env.ACCESS_RULES_RUNS ?? 200);
const SEED = process.env.ACCESS_RULES_SEED === undefined ? undefined : Number(process.env.ACCESS_RULES_SEED);
const PATH = process.env.ACCESS_RULES_PATH;

const USERS = ['u1', 'u2', 'u3', 'u4'];
const GROUPS = ['g1', 'g2', 'g3'];
const DATASETS = ['d1', 'd2', 'd3'];
const PERMISSIONS = ['view', 'edit', 'admin_view', 'annotate'];
const T0 = Date.parse('2026-03-01T00:00:00Z');
const MINUTE = 60_000;

/** A step of a history, before it is dated: indexes into the pools above. */
type Step =
  | { kind: 'register'; user: number; admin: boolean; readOnly: boolean }
  | { kind: 'update'; user: number; admin?: boolean; readOnly?: boolean }
  | { kind: 'deactivate'; user: number }
  | { kind: 'createGroup'; group: number }
  | { kind: 'deleteGroup'; group: number }
  | { kind: 'addMember'; group: number; user: number; admin: boolean }
  | { kind: 'removeMember'; group: number; user: number }
  | { kind: 'createDataset'; dataset: number }
  | { kind: 'renameDataset'; dataset: number; suffix: number }
  | { kind: 'deleteDataset'; dataset: number }
  | { kind: 'registerPermission' }
  | { kind: 'grant'; dataset: number; group: number; permission: number; expiresInMinutes: number | null }
  | { kind: 'revoke'; dataset: number; group: number; permission: number }
  | { kind: 'publishTos'; dataset: number }
  | { kind: 'acceptTos'; user: number; dataset: number; version: number }
  | { kind: 'addDatasetAdmin'; dataset: number; user: number }
  | { kind: 'removeDatasetAdmin'; dataset: number; user: number };

const user = fc.nat(USERS.length - 1);
const group = fc.nat(GROUPS.length - 1);
const dataset = fc.nat(DATASETS.length - 1);
const permission = fc.nat(PERMISSIONS.length - 1);

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('register' as const), user, admin: fc.boolean(), readOnly: fc.boolean() }),
  fc.record(
    {
      kind: fc.constant('update' as const),
      user,
      admin: fc.option(fc.boolean(), { nil: undefined }),
      readOnly: fc.option(fc.boolean(), { nil: undefined }),
    },
    { requiredKeys: ['kind', 'user'] },
  ),
  fc.record({ kind: fc.constant('deactivate' as const), user }),
  fc.record({ kind: fc.constant('createGroup' as const), group }),
  fc.record({ kind: fc.constant('deleteGroup' as const), group }),
  { arbitrary: fc.record({ kind: fc.constant('addMember' as const), group, user, admin: fc.boolean() }), weight: 4 },
  fc.record({ kind: fc.constant('removeMember' as const), group, user }),
  fc.record({ kind: fc.constant('createDataset' as const), dataset }),
  fc.record({ kind: fc.constant('renameDataset' as const), dataset, suffix: fc.nat(9) }),
  fc.record({ kind: fc.constant('deleteDataset' as const), dataset }),
  fc.record({ kind: fc.constant('registerPermission' as const) }),
  {
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      dataset,
      group,
      permission,
      expiresInMinutes: fc.option(fc.integer({ min: -2, max: 30 }), { nil: null }),
    }),
    weight: 4,
  },
  fc.record({ kind: fc.constant('revoke' as const), dataset, group, permission }),
  fc.record({ kind: fc.constant('publishTos' as const), dataset }),
  { arbitrary: fc.record({ kind: fc.constant('acceptTos' as const), user, dataset, version: fc.nat(2) }), weight: 2 },
  fc.record({ kind: fc.constant('addDatasetAdmin' as const), dataset, user }),
  fc.record({ kind: fc.constant('removeDatasetAdmin' as const), dataset, user }),
);

/** Dates the steps (one a minute) and turns them into the events the apps would write. */
function toEvents(steps: Step[]): RecordedEvent<TesseraEvent>[] {
  const tosVersions = new Map<string, string[]>();
  // As the deciders would: no second group or dataset of one id, nothing deleted that does not exist.
  const groups = new Set<string>();
  const datasets = new Set<string>();
  const events: TesseraEvent[] = [];
  const at = (index: number) => T0 + (index + 1) * MINUTE;
  for (const s of steps) {
    const when = at(events.length);
    switch (s.kind) {
      case 'register':
        events.push({
          type: 'UserRegistered',
          data: {
            userId: USERS[s.user],
            name: USERS[s.user],
            email: null,
            admin: s.admin,
            readOnly: s.readOnly,
            issuer: 'dev',
            subject: USERS[s.user],
            number: s.user + 1,
          },
        });
        break;
      case 'update':
        events.push({ type: 'UserUpdated', data: { userId: USERS[s.user], admin: s.admin, readOnly: s.readOnly } });
        break;
      case 'deactivate':
        events.push({ type: 'UserDeactivated', data: { userId: USERS[s.user] } });
        break;
      case 'createGroup':
        if (groups.has(GROUPS[s.group])) break;
        groups.add(GROUPS[s.group]);
        events.push({ type: 'GroupCreated', data: { groupId: GROUPS[s.group], name: GROUPS[s.group] } });
        break;
      case 'deleteGroup':
        if (!groups.delete(GROUPS[s.group])) break;
        events.push({ type: 'GroupDeleted', data: { groupId: GROUPS[s.group] } });
        break;
      case 'addMember':
        events.push({ type: 'GroupMemberAdded', data: { groupId: GROUPS[s.group], userId: USERS[s.user], admin: s.admin } });
        break;
      case 'removeMember':
        events.push({ type: 'GroupMemberRemoved', data: { groupId: GROUPS[s.group], userId: USERS[s.user] } });
        break;
      case 'createDataset':
        if (datasets.has(DATASETS[s.dataset])) break;
        datasets.add(DATASETS[s.dataset]);
        events.push({ type: 'DatasetCreated', data: { datasetId: DATASETS[s.dataset], name: DATASETS[s.dataset], description: null } });
        break;
      case 'renameDataset':
        events.push({ type: 'DatasetUpdated', data: { datasetId: DATASETS[s.dataset], name: `${DATASETS[s.dataset]}-${s.suffix}` } });
        break;
      case 'deleteDataset':
        if (!datasets.delete(DATASETS[s.dataset])) break;
        events.push({ type: 'DatasetDeleted', data: { datasetId: DATASETS[s.dataset] } });
        break;
      case 'registerPermission':
        events.push({ type: 'PermissionRegistered', data: { name: 'annotate' } });
        break;
      case 'grant':
        events.push({
          type: 'PermissionGranted',
          data: {
            datasetId: DATASETS[s.dataset],
            groupId: GROUPS[s.group],
            permission: PERMISSIONS[s.permission],
            expiresAt: s.expiresInMinutes === null ? null : new Date(when + s.expiresInMinutes * MINUTE).toISOString(),
          },
        });
        break;
      case 'revoke':
        events.push({
          type: 'PermissionRevoked',
          data: { datasetId: DATASETS[s.dataset], groupId: GROUPS[s.group], permission: PERMISSIONS[s.permission] },
        });
        break;
      case 'publishTos': {
        const versions = tosVersions.get(DATASETS[s.dataset]) ?? [];
        const tosId = `${DATASETS[s.dataset]}-tos${versions.length + 1}`;
        tosVersions.set(DATASETS[s.dataset], [...versions, tosId]);
        events.push({
          type: 'TosPublished',
          data: { tosId, datasetId: DATASETS[s.dataset], version: versions.length + 1, title: tosId, text: 'be nice' },
        });
        break;
      }
      case 'acceptTos': {
        const versions = tosVersions.get(DATASETS[s.dataset]) ?? [];
        if (versions.length === 0) break;
        const tosId = versions[Math.min(s.version, versions.length - 1)];
        events.push({ type: 'TosAccepted', data: { tosId, datasetId: DATASETS[s.dataset], userId: USERS[s.user] } });
        break;
      }
      case 'addDatasetAdmin':
        events.push({ type: 'DatasetAdminAdded', data: { datasetId: DATASETS[s.dataset], userId: USERS[s.user] } });
        break;
      case 'removeDatasetAdmin':
        events.push({ type: 'DatasetAdminRemoved', data: { datasetId: DATASETS[s.dataset], userId: USERS[s.user] } });
        break;
    }
  }
  return events.map((event, index) => ({
    ...event,
    position: index + 1,
    streamId: 'any',
    streamVersion: index,
    schemaVersion: 1,
    metadata: {},
    recordedAt: new Date(at(index)),
  })) as RecordedEvent<TesseraEvent>[];
}

/** The holdings table as the SQL writes it: closes of earlier rows, then new rows; one open row per key. */
class HoldingsTable {
  /** user and dataset → their rows (the SQL's index on them). */
  private readonly rows = new Map<string, HoldingRow[]>();

  write(batch: HoldingRows): void {
    for (const closed of batch.closed) {
      const open = this.of(closed.userId, closed.datasetId).filter(
        (row) => row.validTo === null && row.permission === closed.permission && row.groupId === closed.groupId,
      );
      if (open.length !== 1) throw new Error(`closing ${JSON.stringify(closed)} found ${open.length} open rows`);
      open[0].validTo = closed.at;
    }
    for (const row of batch.opened) {
      const rows = this.of(row.userId, row.datasetId);
      const clash = rows.some(
        (other) => other.validTo === null && row.validTo === null && other.permission === row.permission && other.groupId === row.groupId,
      );
      if (clash) throw new Error(`a second open row for ${JSON.stringify(row)}`);
      rows.push({ ...row });
    }
  }

  /** `GET /api/v1/audit/access?user=U&at=T`, restricted to dataset D: the permissions held. */
  held(userId: string, datasetId: string, at: Date): string[] {
    const permissions = new Set<string>();
    for (const row of this.of(userId, datasetId)) if (heldAt(row, at)) permissions.add(row.permission);
    return [...permissions].sort();
  }

  private of(userId: string, datasetId: string): HoldingRow[] {
    const key = `${userId} ${datasetId}`;
    let rows = this.rows.get(key);
    if (!rows) this.rows.set(key, (rows = []));
    return rows;
  }
}

/** A cheap equality of two permission lists (this runs a few hundred thousand times per run). */
function same(what: string, where: object, actual: string[], expected: string[]): void {
  if (actual.length === expected.length && actual.every((name, i) => name === expected[i])) return;
  throw new Error(`${what} differ at ${JSON.stringify(where)}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/** What the decision index says right after an event: per user, per dataset id, the permissions held. */
type Answers = Map<string, Map<string, string[]>>;

/**
 * The decision index's answers at `at`: its hot path (check) for every permission, which must agree
 * with its cached me-permissions answer (and the user-cache JSON kept with it). A super admin holds every registered permission live; the
 * audit lists what grants gave, so for one the answer compared is the check without that standing.
 */
function decisionIndexAnswers(index: DecisionIndex, at: number): Answers {
  const answers: Answers = new Map();
  for (const userId of USERS) {
    const subject = index.subjectOfUser(userId);
    const mine = index.userPermissions(subject, at);
    // The JSON served from the cached answer (the middle_auth user cache) are made again when it is.
    const { json, validUntil } = userCacheJson(index, subject, at);
    const served = json.toString();
    if (served !== JSON.stringify(userCacheOf(index, subject, at))) throw new Error(`user cache of ${userId} is stale: ${served}`);
    // The gateway keeps it until then (or an event): it must not change by itself before.
    const lastHeld = Number.isFinite(validUntil) ? validUntil - 1 : at + 10 * 365 * 24 * 60 * MINUTE;
    if (!(validUntil > at) || served !== JSON.stringify(userCacheOf(index, subject, lastHeld)))
      throw new Error(`user cache of ${userId} at ${at} said it holds until ${validUntil}, but changes by ${lastHeld}`);
    const perDataset = new Map<string, string[]>();
    for (const datasetId of DATASETS) {
      const checked = PERMISSIONS.filter((name) => index.check(subject, name, datasetId, at).allowed);
      // The gateway keeps an allowed check until then (or an event): it must hold till then, and no longer.
      for (const name of subject.superAdmin ? [] : checked) {
        const until = index.grantedUntil(subject, name, datasetId, at);
        const lastHeld = Number.isFinite(until) ? until - 1 : at + 10 * 365 * 24 * 60 * MINUTE;
        const heldTill = until > at && index.check(subject, name, datasetId, lastHeld).allowed;
        if (!heldTill || (Number.isFinite(until) && index.check(subject, name, datasetId, until).allowed))
          throw new Error(`check ${name} of ${userId} on ${datasetId} at ${at} said it holds until ${until}`);
      }
      const dataset = index.datasets.get(datasetId);
      const listed = dataset ? (mine.permissions[dataset.name] ?? []) : [];
      if (subject.superAdmin) {
        // Live, a super admin holds any permission asked, and its list shows every registered one.
        same('super admin check', { userId, datasetId }, checked, dataset ? PERMISSIONS : []);
        same('super admin me-permissions', { userId, datasetId }, listed, dataset ? [...index.permissions].sort() : []);
        const granted = PERMISSIONS.filter((name) => index.check({ ...subject, superAdmin: false }, name, datasetId, at).allowed);
        perDataset.set(datasetId, granted.sort());
      } else {
        same('me-permissions vs check', { userId, datasetId }, listed, [...checked].sort());
        perDataset.set(datasetId, [...checked].sort());
      }
    }
    answers.set(userId, perDataset);
  }
  return answers;
}

describe('one rule book: the audit projection and the decision index agree', () => {
  it(`at every position of ${RUNS} random histories, on what each user held on each dataset`, () => {
    const started = Date.now();
    const property = fc.property(
      fc.array(step, { minLength: 1, maxLength: 40, size: 'max' }),
      fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
      (steps, batchSizes) => {
        const events = toEvents(steps);
        const index = new DecisionIndex('http://tessera.test');
        const projector = new AccessProjector();
        const table = new HoldingsTable();
        let written = 0;
        for (let batch = 0; written < events.length; batch += 1) {
          const slice = events.slice(written, written + batchSizes[batch % batchSizes.length]);
          // Live: the decision index after each event of the batch, at that event's moment.
          const expected = slice.map((event) => {
            index.apply([event]);
            return { event, answers: decisionIndexAnswers(index, event.recordedAt.getTime()) };
          });
          // History: the audit projector's rows for the batch, read back at each event's moment.
          projector.follow(slice);
          table.write(projector.pendingAfter(written).rows);
          projector.written();
          written += slice.length;
          for (const { event, answers } of expected) {
            for (const [userId, perDataset] of answers) {
              for (const [datasetId, live] of perDataset) {
                const audit = table.held(userId, datasetId, event.recordedAt);
                same('audit vs decision index', { position: event.position, userId, datasetId }, audit, live);
              }
            }
          }
        }
      },
    );
    const details = fc.check(property, { numRuns: RUNS, seed: SEED, path: PATH });
    if (details.failed) {
      throw new Error(
        `replay with ACCESS_RULES_SEED=${details.seed} ACCESS_RULES_PATH=${details.counterexamplePath}\n${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`,
      );
    }
    expect(details.numRuns).toBe(RUNS);
    console.log(`${RUNS} random histories agreed at every position in ${Date.now() - started} ms (seed ${details.seed})`);
  });
});

/** Everything the gateway keeps about the user: its user cache, its permissions and every check, with its own standing and with a view-only token. */
function keptAbout(index: DecisionIndex, userId: string, at: number): string {
  const own = index.subjectOfUser(userId);
  const answers: unknown[] = [];
  for (const subject of [own, { ...own, scopes: ['view'] }]) {
    answers.push(userCacheOf(index, subject, at), index.userPermissions(subject, at));
    for (const datasetId of DATASETS) for (const name of PERMISSIONS) answers.push(index.check(subject, name, datasetId, at));
  }
  return JSON.stringify(answers);
}

/** Everyone registered, every group and dataset made, members in each group and grants on each dataset: a world where events change answers. */
const PRELUDE: Step[] = [
  ...USERS.map((_, user) => ({ kind: 'register' as const, user, admin: false, readOnly: false })),
  ...GROUPS.map((_, group) => ({ kind: 'createGroup' as const, group })),
  ...DATASETS.map((_, dataset) => ({ kind: 'createDataset' as const, dataset })),
  ...USERS.map((_, user) => ({ kind: 'addMember' as const, group: user % GROUPS.length, user, admin: user === 0 })),
  ...DATASETS.flatMap((_, dataset) =>
    PERMISSIONS.map((__, permission) => ({
      kind: 'grant' as const,
      dataset,
      group: (dataset + permission) % GROUPS.length,
      permission,
      expiresInMinutes: permission === 1 ? 20 : null,
    })),
  ),
];

describe("the gateway's kept answers: what an event may change", () => {
  it(`in ${RUNS} random histories, an event said to touch one user (or none) leaves every other user's answers as they were`, () => {
    let oneUser = 0;
    const property = fc.property(fc.array(step, { minLength: 1, maxLength: 40, size: 'max' }), (steps) => {
      const events = toEvents([...PRELUDE, ...steps]);
      // Each side made afresh from the log, so no cache of the decision index can hide a change.
      const indexAfter = (count: number) => {
        const index = new DecisionIndex('http://tessera.test');
        index.apply(events.slice(0, count));
        return index;
      };
      for (let at = 0; at < events.length; at++) {
        const event = events[at];
        const touched = answersTouched(event);
        if (touched === 'all') continue;
        const moment = event.recordedAt.getTime();
        const [before, after] = [indexAfter(at), indexAfter(at + 1)];
        for (const userId of USERS) {
          if (touched !== 'none' && userId === touched.userId) continue;
          if (keptAbout(before, userId, moment) !== keptAbout(after, userId, moment))
            throw new Error(
              `${event.type} at ${event.position} (said to touch ${JSON.stringify(touched)}) changed the answers of ${userId}`,
            );
        }
        if (touched !== 'none') oneUser += 1;
      }
    });
    const details = fc.check(property, { numRuns: RUNS, seed: SEED, path: PATH });
    if (details.failed) {
      throw new Error(
        `replay with ACCESS_RULES_SEED=${details.seed} ACCESS_RULES_PATH=${details.counterexamplePath}\n${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`,
      );
    }
    expect(details.numRuns).toBe(RUNS);
    // The histories are full of such events: the claim is tested, not vacuous.
    expect(oneUser).toBeGreaterThan(RUNS);
  });
});
