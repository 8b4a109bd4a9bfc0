import { Injectable } from '@nestjs/common';
import { MIDDLE_AUTH_SUBJECTS as M, POLICY_ADMIN_SUBJECTS as P, SUBJECTS, type CheckReply } from '@tessera/contracts';
import { TesseraClient, type ServedAnswer } from '@tessera/messaging';
import { metrics, type CounterCell } from '@tessera/observability';
import { TokenIndexReplica } from '@tessera/token-index';
import type { AuthenticatedRequest } from './bearer-auth.guard';
import { answersTouched } from './answers-touched';
import { KeptAnswers } from './kept-answers';
import { minRevisionOf } from './min-revision';

/** The served subjects answered about the caller alone: the request is the caller's token (and a revision). */
type ServedSubject = typeof M.userCache | typeof P.myPermissions;
type CallerSubject = ServedSubject | typeof SUBJECTS.policyCheck;

/** A check the caller asks about its own token (`GET /api/v1/check`). */
export interface CheckQuestion {
  permission: string;
  dataset?: string;
  service?: string;
  table?: string;
}

/**
 * The policy app's answers about the caller that clients ask on nearly every request (middle_auth's
 * user cache, `me/permissions`, an allowed check), kept in this gateway by caller (user, scopes,
 * read-only) and question, and answered from memory, with no NATS round trip, until this gateway's
 * token index, which reads the whole log, applies an event that could change them (answersTouched:
 * most events touch one user's answers only), or their own end of validity passes. A revoked token
 * is refused by the guard before; a caller who asks for a revision (X-Tessera-Min-Revision) gets an
 * answer that reflects it. Each replica keeps its own.
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
      // One pass over the kept answers per batch: the last change to anybody, the last to each user.
      let anybody = 0;
      const users = new Map<string, number>();
      for (const event of events) {
        const touched = answersTouched(event);
        if (touched === 'all') anybody = event.position;
        else if (touched !== 'none') users.set(touched.userId, event.position);
      }
      for (const { kept } of this.subjects.values()) {
        if (anybody > 0) kept.changed(anybody);
        if (users.size > 0) kept.changedFor(users);
      }
    });
  }

  /** The answer for the caller of `request`, kept (no promise) or asked for. */
  answer(subject: ServedSubject, request: AuthenticatedRequest): ServedAnswer | Promise<ServedAnswer> {
    return this.keptOrAsked(subject, request, '', () =>
      this.client.requestServed(subject, { token: request.bearerToken, ...minRevisionOf(request) }, { coalesce: true }),
    );
  }

  /**
   * The caller's check with its own token: when allowed, the HTTP body `{allowed, revision}`, kept
   * (no promise) or asked for; a refusal is not kept, and is thrown as `refuse` makes it.
   */
  check(
    request: AuthenticatedRequest,
    question: CheckQuestion,
    refuse: (reply: CheckReply) => Error,
  ): ServedAnswer | Promise<ServedAnswer> {
    const { permission, dataset, service, table } = question;
    const asked = JSON.stringify([permission, dataset ?? null, service ?? null, table ?? null]);
    return this.keptOrAsked(SUBJECTS.policyCheck, request, asked, async () => {
      const served = await this.client.requestServed(
        SUBJECTS.policyCheck,
        { token: request.bearerToken, ...question, ...minRevisionOf(request) },
        { coalesce: true },
      );
      const reply = JSON.parse(Buffer.from(served.body).toString()) as CheckReply;
      if (!reply.allowed) throw refuse(reply);
      const body = Buffer.from(JSON.stringify({ allowed: true, revision: reply.revision }));
      return { body, revision: reply.revision, validUntil: served.validUntil };
    });
  }

  /** The kept answer to `question` of `subject` for the caller of `request`, else `ask`'s, kept. */
  private keptOrAsked(
    subject: CallerSubject,
    request: AuthenticatedRequest,
    question: string,
    ask: () => Promise<ServedAnswer>,
  ): ServedAnswer | Promise<ServedAnswer> {
    const { kept, keptCount, askedCount } = this.subjectOf(subject);
    const { principal } = request;
    // A super admin's answer is made afresh each time by the policy app too; a resource token's is not the user's.
    if (principal.superAdmin || principal.userId === undefined || principal.resource !== undefined) {
      askedCount.inc();
      return ask();
    }
    const { userId, serviceAccount } = principal;
    const key = `${userId} ${principal.readOnly ? 'r' : 'w'} ${principal.scopes.join(' ')}\n${question}`;
    const found = kept.get(key, Date.now(), request.minRevision);
    if (found) {
      keptCount.inc();
      return found;
    }
    askedCount.inc();
    return ask().then((answer) => {
      kept.keep(key, answer, Date.now(), { userId, serviceAccount });
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
