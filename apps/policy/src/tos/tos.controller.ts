import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS, POLICY_EVENTS, TesseraError } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import type { TosVersion } from '../decisions/decision-index';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, requireDatasetAdmin, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyWriter } from '../callers/policy-writer';

/** Versioned terms of service per dataset; text is stored and returned as plain text. */
@Controller()
export class TosController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly writer: PolicyWriter,
  ) {}

  private view(tos: TosVersion) {
    const url = this.projection.index.publicUrl;
    return { ...tos, acceptUrl: `${url}/api/v1/tos/${tos.id}/accept` };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.publishTos)
  async publish(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { datasetId: string; title: string; text: string }) {
    await this.projection.caughtUpWithHead();
    const dataset = this.projection.index.datasets.get(request.datasetId);
    if (!dataset) throw notFound('dataset');
    requireDatasetAdmin(this.projection.index, request.principal, dataset.id);
    const tosId = randomUUID();
    const version = (this.projection.index.currentTos(dataset)?.version ?? 0) + 1;
    // Expecting the dataset stream's version would serialise publishers; a racing publish gets the next number by replay order.
    const written = await this.writer.write(request.principal, {
      streamId: `dataset-${dataset.id}`,
      events: [
        { type: POLICY_EVENTS.tosPublished, data: { tosId, datasetId: dataset.id, version, title: request.title, text: request.text } },
      ],
    });
    return { ...this.view(this.projection.index.tos.get(tosId)!), ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.listTos)
  async list(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { datasetId: string; limit?: string | number; cursor?: string }) {
    await this.projection.atLeast(request.minRevision);
    const dataset = this.projection.index.datasets.get(request.datasetId);
    if (!dataset) throw notFound('dataset');
    const current = this.projection.index.currentTos(dataset);
    const versions = [...dataset.tosVersions].reverse().map((tos) => ({ ...this.view(tos), current: tos === current }));
    return { ...paginate(versions, request.limit, request.cursor), revision: String(this.projection.revision) };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.acceptTos)
  async accept(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { tosId: string }) {
    const userId = request.principal.userId;
    if (!userId) throw new TesseraError('bad_request', 'only a user can accept terms of service');
    await this.projection.caughtUpWithHead();
    const tos = this.projection.index.tos.get(request.tosId);
    if (!tos) throw notFound('terms of service');
    const written = await this.writer.write(request.principal, {
      streamId: `tos-${tos.id}`,
      events: [{ type: POLICY_EVENTS.tosAccepted, data: { tosId: tos.id, datasetId: tos.datasetId, userId } }],
    });
    return { tosId: tos.id, datasetId: tos.datasetId, userId, accepted: true as const, ...written };
  }
}
