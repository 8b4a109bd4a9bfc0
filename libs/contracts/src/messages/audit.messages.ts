import {
  AUDIT_SUBJECTS,
  REMOTE_REPLAY_SUBJECTS,
  type AuditAccessIntervals,
  type AuditAccessIntervalsQuery,
  type AuditAccessQuery,
  type AuditDatasetAccess,
  type AuditEventsPage,
  type AuditEventsQuery,
  type AuditUserAccess,
  type ReplayAccepted,
  type ReplayJob,
  type ReplayProgress,
  type RemoteProjection,
} from '../audit-subjects';
import type { HealthReply } from '../health';
import type { NatsAppName } from '../subjects';
import type { Message, NoFields } from './message';

/** The subjects the audit app answers with plain JSON (the export's pages are raw bytes: AUDIT_EXPORT_HEADERS). */
export interface AuditMessages {
  [AUDIT_SUBJECTS.events]: Message<AuditEventsQuery, AuditEventsPage>;
  [AUDIT_SUBJECTS.access]: Message<AuditAccessQuery & { minRevision?: number | string }, AuditDatasetAccess | AuditUserAccess>;
  [AUDIT_SUBJECTS.accessIntervals]: Message<AuditAccessIntervalsQuery & { minRevision?: number | string }, AuditAccessIntervals>;
  [AUDIT_SUBJECTS.replayStart]: Message<{ projection: string }, { jobId: string }>;
  [AUDIT_SUBJECTS.replayStatus]: Message<{ jobId: string }, ReplayJob>;
  [AUDIT_SUBJECTS.replayProgress]: Message<ReplayProgress, { recorded: boolean }>;
}

/** Every replica of the owning app answers its replay subject at once (not in a queue group). */
export type ReplayMessages = {
  [P in RemoteProjection as (typeof REMOTE_REPLAY_SUBJECTS)[P]]: Message<{ jobId: string }, ReplayAccepted>;
};

/** `tessera.v1.<app>.health`, asked by the gateway's /readyz. */
export type HealthMessages = {
  [App in NatsAppName as `tessera.v1.${App}.health`]: Message<NoFields, HealthReply>;
};
