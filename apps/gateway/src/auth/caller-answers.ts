import { Injectable } from '@nestjs/common';
import { MIDDLE_AUTH_SUBJECTS as M, POLICY_ADMIN_SUBJECTS as P, type TesseraEvent } from '@tessera/contracts';
import { TesseraClient, type ServedAnswer } from '@tessera/messaging';
import { metrics, type CounterCell } from '@tessera/observability';
import { TokenIndexReplica } from '@tessera/token-index';
import type { AuthenticatedRequest } from './bearer-auth.guard';
import { KeptAnswers } from './kept-answers';
import { minRevisionOf } from './min-revision';

/**
 * Events that change no answer about a caller's permissions: tokens (the guard refuses a revoked
 * or expired one before any answer is looked at), the personal-token quota, device logins and
 * trusted apps. Every other event, a type added later included, counts as a change.
 */
const UNCHANGING: ReadonlySet<TesseraEvent['type']> = new Set<TesseraEvent['type']>([
  'TokenMinted',
  'TokenRevoked',
  'PersonalTokenAdded',
  'DeviceAuthorizationRequested',
  'DeviceAuthorizationApproved',
  'DeviceAuthorizationDenied',
  'TrustedAppRegistered',
  'TrustedAppRemoved',
]);

/** The served subjects answered about the caller alone: the request is the caller's token (and a revision). */
type CallerSubject = typeof M.userCache | typeof P.myPermissions;

/**
 * The policy app's answers about the caller that clients ask on nearly every request (middle_auth's
 * user cache, `me/permissions`), kept in this gateway by caller (user, scopes, read-only) and
 * answered from memory, with no NATS round trip, until this gateway's token index, which reads the
 * whole log, applies an event that could change them, or their own end of validity passes. A
 * revoked token is refused by the guard before; a caller who asks for a revision
 * (X-Tessera-Min-Revision) gets an answer that reflects it. Each replica keeps its own.
 */
@Injectable()
export class CallerAnswers {
  /** Per subject: its kept answers and its `tessera_gateway_caller_answers_total` counters. */
  private readonly subjects = new Map<CallerSubject, { kept: KeptAnswers; keptCount: CounterCell; askedCount: CounterCell }>();

  constructor(
    private readonly client: TesseraClient,
    private readonly replica: TokenIndexReplica,
  ) {
    replica.onApplied((events) => {
      for (let at = events.length - 1; at >= 0; at--) {
        if (UNCHANGING.has(events[at].type)) continue;
        for (const { kept } of this.subjects.values()) kept.changed(events[at].position);
        return;
      }
    });
  }

  /** The answer for the caller of `request`, kept (no promise) or asked for. */
  answer(subject: CallerSubject, request: AuthenticatedRequest): ServedAnswer | Promise<ServedAnswer> {
    const { kept, keptCount, askedCount } = this.subjectOf(subject);
    const ask = () => {
      askedCount.inc();
      return this.client.requestServed(subject, { token: request.bearerToken, ...minRevisionOf(request) }, { coalesce: true });
    };
    const { principal } = request;
    // A super admin's answer is made afresh each time by the policy app too; a resource token's is not the user's.
    if (principal.superAdmin || principal.userId === undefined || principal.resource !== undefined) return ask();
    const key = `${principal.userId} ${principal.readOnly ? 'r' : 'w'} ${principal.scopes.join(' ')}`;
    const found = kept.get(key, Date.now(), request.minRevision);
    if (found) {
      keptCount.inc();
      return found;
    }
    return ask().then((answer) => {
      kept.keep(key, answer, Date.now());
      return answer;
    });
  }

  private subjectOf(subject: CallerSubject) {
    let known = this.subjects.get(subject);
    if (known === undefined) {
      known = {
        // Everything this replica has read so far counts as changed: a snapshot's events are not applied one by one.
        kept: new KeptAnswers(this.replica.position),
        keptCount: metrics.callerAnswers.child(subject, 'kept'),
        askedCount: metrics.callerAnswers.child(subject, 'asked'),
      };
      this.subjects.set(subject, known);
    }
    return known;
  }
}
