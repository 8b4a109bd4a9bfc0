import { Injectable } from '@nestjs/common';
import { TesseraError, type CheckRequest } from '@tessera/contracts';
import { countDecision } from '@tessera/observability';
import { DecisionCallers, type TokenProblem } from '../callers/decision-callers';
import type { Decision, Subject } from './decision-index';
import { DecisionIndexProjection } from './decision-index.projection';

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

  private decideSubject(subject: Subject | TokenProblem, request: CheckRequest): Decision {
    const decision: Decision = typeof subject === 'string' ? { allowed: false, reason: subject } : this.decideFor(subject, request);
    countDecision(decision.reason);
    return decision;
  }

  decideFor(subject: Subject, request: CheckRequest): Decision {
    if (typeof request.permission !== 'string') throw new TesseraError('bad_request', 'the request needs "permission"');
    const index = this.projection.index;
    if (typeof request.dataset === 'string') {
      const datasetId = index.datasets.has(request.dataset) ? request.dataset : (index.datasetsByName.get(request.dataset) ?? '');
      return index.check(subject, request.permission, datasetId);
    }
    if (typeof request.service === 'string' && typeof request.table === 'string') {
      return index.checkTable(subject, request.permission, request.service, request.table);
    }
    throw new TesseraError('bad_request', 'the request needs "dataset", or "service" and "table"');
  }
}
