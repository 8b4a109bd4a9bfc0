import { Injectable } from '@nestjs/common';
import { TesseraError, type CheckRequest } from '@tessera/contracts';
import { countDecision } from '@tessera/observability';
import { DecisionCallers, type TokenProblem } from '../callers/decision-callers';
import type { Decision, Subject } from './decision-index';
import { DecisionIndexProjection } from './decision-index.projection';

/** A decision, and until when it holds with no event (ms since epoch; Infinity: until an event). */
export interface TimedDecision {
  decision: Decision;
  /** Only for an allowed decision: a refusal is not said to hold. */
  validUntil?: number;
}

/** One check request → one decision: who is asking about whom, then the decision rule. */
@Injectable()
export class Decider {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly callers: DecisionCallers,
  ) {}

  /** Synchronous on the hot path; a promise only when a token must first be read from the log. */
  decide(request: CheckRequest, authorization: string | undefined): Decision | Promise<Decision> {
    const subject = this.callers.subject(request, authorization);
    return subject instanceof Promise ? subject.then((known) => this.decideSubject(known, request)) : this.decideSubject(subject, request);
  }

  /** As `decide`, with until when an allowed decision holds, for those who keep it (the gateway). */
  decideTimed(request: CheckRequest, authorization: string | undefined): TimedDecision | Promise<TimedDecision> {
    const subject = this.callers.subject(request, authorization);
    return subject instanceof Promise ? subject.then((known) => this.timed(known, request)) : this.timed(subject, request);
  }

  private timed(subject: Subject | TokenProblem, request: CheckRequest): TimedDecision {
    const decision = this.decideSubject(subject, request);
    if (!decision.allowed || typeof subject === 'string') return { decision };
    const index = this.projection.index;
    return { decision, validUntil: index.grantedUntil(subject, String(request.permission), this.datasetIdOf(request)) };
  }

  private decideSubject(subject: Subject | TokenProblem, request: CheckRequest): Decision {
    const decision: Decision = typeof subject === 'string' ? { allowed: false, reason: subject } : this.decideFor(subject, request);
    countDecision(decision.reason);
    return decision;
  }

  decideFor(subject: Subject, request: CheckRequest): Decision {
    if (typeof request.permission !== 'string') throw new TesseraError('bad_request', 'the request needs "permission"');
    const index = this.projection.index;
    if (typeof request.dataset === 'string') return index.check(subject, request.permission, this.datasetIdOf(request));
    if (typeof request.service === 'string' && typeof request.table === 'string') {
      return index.checkTable(subject, request.permission, request.service, request.table);
    }
    throw new TesseraError('bad_request', 'the request needs "dataset", or "service" and "table"');
  }

  /** The dataset a request asks about, by id or name, or through its servicetable; '' when none. */
  private datasetIdOf(request: CheckRequest): string {
    const index = this.projection.index;
    if (typeof request.dataset === 'string')
      return index.datasets.has(request.dataset) ? request.dataset : (index.datasetsByName.get(request.dataset) ?? '');
    return index.datasetIdOfTable(String(request.service), String(request.table)) ?? '';
  }
}
