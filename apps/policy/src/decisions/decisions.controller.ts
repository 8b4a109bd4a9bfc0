import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { POLICY_ADMIN_SUBJECTS, SUBJECTS, TesseraError, type CheckRequest } from '@tessera/contracts';
import { Handles, NatsJsonContext } from '@tessera/messaging';
import { DecisionCallers } from '../callers/decision-callers';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { notFound, paginate, requireDatasetAdmin, subjectOf, type ForwardedRequest } from '../callers/policy-access';
import { Decider } from './decider';
import type { Subject } from './decision-index';
import { DecisionIndexProjection } from './decision-index.projection';

const MAX_BATCH = 100;

/** Decisions over NATS (plain JSON, any language) and the gateway's check and me endpoints. */
@Controller()
export class DecisionsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly callers: DecisionCallers,
    private readonly decider: Decider,
  ) {}

  @Handles(SUBJECTS.policyCheckBatch)
  async checkBatch(@Payload() request: { checks?: CheckRequest[]; minRevision?: string | number }, @Ctx() ctx: NatsJsonContext) {
    const checks = request?.checks;
    if (!Array.isArray(checks) || checks.length > MAX_BATCH) {
      throw new TesseraError('bad_request', `checks must be an array of at most ${MAX_BATCH}`, [
        { field: 'checks', problems: [`at most ${MAX_BATCH}`] },
      ]);
    }
    const wanted = Math.max(Number(request.minRevision ?? 0), ...checks.map((check) => Number(check?.minRevision ?? 0)));
    if (wanted > 0) await this.projection.atLeast(wanted);
    const results = await Promise.all(
      checks.map(async (check) => {
        try {
          return await this.decider.decide(check ?? {}, ctx.authorization);
        } catch (error) {
          if (error instanceof TesseraError) return error.toReply();
          throw error;
        }
      }),
    );
    return { results, revision: String(this.projection.revision) };
  }

  @Handles(SUBJECTS.policyUserInfo)
  async userInfo(@Payload() request: { token?: string; userId?: string; minRevision?: string | number }, @Ctx() ctx: NatsJsonContext) {
    await this.projection.atLeast(request?.minRevision);
    const subject = await this.callers.subject(request ?? {}, ctx.authorization);
    if (typeof subject === 'string') throw new TesseraError(subject, `the token is ${subject.replace('_token', '')}`);
    return this.userInfoOf(subject);
  }

  @Handles(SUBJECTS.policyLookupDatasets)
  async lookupDatasets(
    @Payload() request: { userId?: string; permission?: string; minRevision?: string | number },
    @Ctx() ctx: NatsJsonContext,
  ) {
    await this.callers.requireDecisionsCaller(ctx.authorization);
    const { userId, permission } = request ?? {};
    if (typeof userId !== 'string' || typeof permission !== 'string')
      throw new TesseraError('bad_request', 'the request needs "userId" and "permission"');
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const datasets = index.datasetsWith(index.subjectOfUser(userId), permission).map((dataset) => ({ id: dataset.id, name: dataset.name }));
    return { datasets, revision: String(index.position) };
  }

  @Handles(SUBJECTS.policyLookupUsers)
  async lookupUsers(
    @Payload() request: { dataset?: string; permission?: string; minRevision?: string | number },
    @Ctx() ctx: NatsJsonContext,
  ) {
    await this.callers.requireDecisionsCaller(ctx.authorization);
    const { dataset: wanted, permission } = request ?? {};
    if (typeof wanted !== 'string' || typeof permission !== 'string')
      throw new TesseraError('bad_request', 'the request needs "dataset" and "permission"');
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const dataset = index.findDataset(wanted);
    if (!dataset) throw notFound('dataset');
    const users = index.usersWith(dataset.id, permission).map((id) => ({ id, name: index.users.get(id)?.name ?? null }));
    return { users, revision: String(index.position) };
  }

  // ---- forwarded by the gateway, with the principal it authenticated ---------------------------

  // POLICY_ADMIN_SUBJECTS.myPermissions: DirectResponders, outside this pipeline.

  @Handles(POLICY_ADMIN_SUBJECTS.myDatasets)
  async myDatasets(
    @Payload(ForwardedCallerPipe) request: ForwardedRequest & { permission?: string; limit?: string | number; cursor?: string },
  ) {
    await this.projection.atLeast(request.minRevision);
    const datasets = this.projection.index
      .datasetsWith(subjectOf(request.principal), request.permission ?? 'view')
      .map((dataset) => ({ id: dataset.id, name: dataset.name }));
    return { ...paginate(datasets, request.limit, request.cursor), revision: String(this.projection.revision) };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.datasetUsers)
  async datasetUsers(
    @Payload(ForwardedCallerPipe)
    request: ForwardedRequest & { datasetId: string; permission?: string; limit?: string | number; cursor?: string },
  ) {
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const dataset = index.datasets.get(request.datasetId);
    if (!dataset) throw notFound('dataset');
    requireDatasetAdmin(index, request.principal, dataset.id);
    const users = index.usersWith(dataset.id, request.permission ?? 'view').map((id) => ({ id, name: index.users.get(id)?.name ?? null }));
    return { ...paginate(users, request.limit, request.cursor), revision: String(index.position) };
  }

  // ---- shared -----------------------------------------------------------------------------------

  private userInfoOf(subject: Subject) {
    const index = this.projection.index;
    const user = index.users.get(subject.userId ?? '');
    return {
      id: subject.userId ?? null,
      name: user?.name ?? null,
      admin: subject.superAdmin,
      groups: index.groupNamesOf(subject.userId),
      ...index.userPermissions(subject),
      revision: String(index.position),
    };
  }
}
