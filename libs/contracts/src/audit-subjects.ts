/**
 * Internal subjects the gateway uses to forward CONTRACT section 7 to the audit app. The gateway
 * checks "super admin" before it forwards, so only the gateway may publish on them (restrict
 * `tessera.v1.audit.>` to the gateway's NATS user in production).
 */
export const AUDIT_SUBJECTS = {
  events: 'tessera.v1.audit.events',
  /**
   * One page of the NDJSON export, asked with a JSON AuditExportQuery; not plain JSON request and
   * reply: the answer is the page's raw NDJSON bytes in one or more messages (AUDIT_EXPORT_HEADERS).
   */
  exportPage: 'tessera.v1.audit.export-page',
  access: 'tessera.v1.audit.access',
  accessIntervals: 'tessera.v1.audit.access-intervals',
  replayStart: 'tessera.v1.audit.replay.start',
  replayStatus: 'tessera.v1.audit.replay.status',
  /** An app rebuilding one of its in-memory projections reports progress here (ReplayProgress). */
  replayProgress: 'tessera.v1.audit.replay.progress',
} as const;

/**
 * In-memory projections of other apps, and the subject each app answers to rebuild one: the audit
 * app publishes `{"jobId"}` and gathers the answers; every replica of the owning app answers
 * `{"accepted":true,"replica"}` at once (ReplayAccepted), rebuilds a fresh copy from the log beside
 * its live one, and requests `AUDIT_SUBJECTS.replayProgress` with a ReplayProgress as it goes (the
 * last one with status `swapped` or `failed`, retried until answered). The job ends when every
 * replica that accepted it has ended.
 */
export const REMOTE_REPLAY_SUBJECTS = {
  'token-index': 'tessera.v1.token.replay',
  'decision-index': 'tessera.v1.policy.replay',
  'identity-read-models': 'tessera.v1.identity.replay',
  'policy-read-models': 'tessera.v1.policy.replay-read-models',
} as const;
export type RemoteProjection = keyof typeof REMOTE_REPLAY_SUBJECTS;

export interface ReplayAccepted {
  accepted: boolean;
  /** The answering replica's id (a fresh one per process), named again in its progress reports. */
  replica: string;
  reason?: string;
}

export interface ReplayProgress {
  jobId: string;
  replica: string;
  status: ReplayJobStatus;
  position: string;
  target: string;
  matchesLive?: boolean | null;
  failure?: string | null;
}

/** A page of `GET /api/v1/audit/export`: the events after `after` up to `head` (the head when the export began). */
export interface AuditExportQuery {
  from?: string;
  to?: string;
  /** Decimal position: the `last` of the previous page (or where an interrupted export resumes). */
  after?: string;
  /** Decimal position: the `head` of the first page; absent on the first page. */
  head?: string;
}

/**
 * How the audit app answers `AUDIT_SUBJECTS.exportPage`: the page's NDJSON bytes as they are (no
 * JSON around them), cut into messages under NATS's payload bound, to the request's reply subject
 * in order. The last message of a page, possibly empty, carries `status`: `more` or `done` (no
 * event is left up to `head`) with `last` (the position of the page's last event, or `after` when
 * the page is empty) and `head`; or `error`, its body then the JSON `{"error":…}` of any subject.
 */
export const AUDIT_EXPORT_HEADERS = {
  status: 'Tessera-Export-Status',
  last: 'Tessera-Export-Last',
  head: 'Tessera-Export-Head',
} as const;

export type AuditExportStatus = 'more' | 'done' | 'error';

/** One event as the audit endpoints and the NDJSON export show it. */
export interface AuditEventItem {
  /** Decimal string: positions outgrow JavaScript's safe integers long before bigint does. */
  position: string;
  type: string;
  streamId: string;
  recordedAt: string;
  actor: string | null;
  /** Events written with an impersonation token: the admin behind it. */
  impersonatedBy?: string;
  data: Record<string, unknown>;
}

export interface AuditEventsQuery {
  type?: string;
  streamId?: string;
  actor?: string;
  user?: string;
  dataset?: string;
  /** ISO times bounding `recordedAt`: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  /** Only events after this position (decimal string). */
  after?: string;
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface AuditEventsPage {
  items: AuditEventItem[];
  nextCursor: string | null;
}

export interface AuditAccessQuery {
  dataset?: string;
  user?: string;
  at: string;
}

export interface AuditAccessIntervalsQuery {
  dataset: string;
  from: string;
  to: string;
}

/** A permission held at a moment, and the groups it came through. */
export interface AuditHolding {
  permissions: string[];
  via: string[];
}

export interface AuditDatasetAccess {
  at: string;
  revision: string;
  dataset: { id: string; name: string };
  users: ({ id: string; name: string | null } & AuditHolding)[];
}

/** One user holding one permission on a dataset from `from` until `to` (clipped to the range asked). */
export interface AuditAccessInterval {
  userId: string;
  name: string | null;
  permission: string;
  from: string;
  to: string;
}

/** `GET /api/v1/audit/access/intervals` (extension): each user's access intervals over a range. */
export interface AuditAccessIntervals {
  dataset: { id: string; name: string };
  from: string;
  to: string;
  revision: string;
  intervals: AuditAccessInterval[];
}

export interface AuditUserAccess {
  at: string;
  revision: string;
  user: { id: string; name: string | null; readOnly: boolean; deactivated: boolean };
  datasets: ({ id: string; name: string } & AuditHolding)[];
}

/** The audit app's own projection; the others are rebuilt by the apps holding them (REMOTE_REPLAY_SUBJECTS). */
export const AUDIT_ACCESS_PROJECTION = 'audit-access';

/** Projections `POST /api/v1/audit/replay` can rebuild from the log. */
export const REPLAYABLE_PROJECTIONS = [AUDIT_ACCESS_PROJECTION, ...(Object.keys(REMOTE_REPLAY_SUBJECTS) as RemoteProjection[])];

export type ReplayJobStatus = 'running' | 'swapped' | 'failed';

export interface ReplayJob {
  jobId: string;
  projection: string;
  status: ReplayJobStatus;
  /** Events of the log applied to the fresh copy so far, and the head it is catching up with. */
  position: string;
  target: string;
  /** 0..1 */
  progress: number;
  startedAt: string;
  finishedAt: string | null;
  /** Set when the copy caught up: whether it held exactly the live copy's rows before the swap. */
  matchesLive: boolean | null;
  /** Why a failed job failed (not `error`: a reply with an `error` field is a NATS error reply). */
  failure: string | null;
  /** For another app's in-memory projection: each replica's own rebuild (empty for the audit's own). */
  replicas: ReplayReplicaProgress[];
}

export interface ReplayReplicaProgress {
  replica: string;
  status: ReplayJobStatus;
  position: string;
  target: string;
  matchesLive: boolean | null;
  failure: string | null;
}
