import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import type { TosVersion } from '../decisions/decision-index';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyCommands } from '../callers/policy-commands';
import { datasetDecider } from '../datasets/domain/dataset.decider';
import { firstAcceptance, tosAcceptanceDecider, type AcceptTos } from './domain/tos-acceptance.decider';

/** Versioned terms of service per dataset; text is stored and returned as plain text. */
@Controller()
export class TosController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly commands: PolicyCommands,
  ) {}

  private view(tos: TosVersion) {
    const url = this.projection.index.publicUrl;
    return { ...tos, acceptUrl: `${url}/api/v1/tos/${tos.id}/accept` };
  }

  /** A TOS version is an event of its dataset's stream: two publishers racing for one number, the later answers 409. */
  @Handles(POLICY_ADMIN_SUBJECTS.publishTos)
  async publish(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { datasetId: string; title: string; text: string }) {
    const { principal, title, text } = request;
    const command = {
      type: 'PublishTos' as const,
      data: { datasetId: String(request.datasetId), tosId: randomUUID(), title, text, actor: principal },
    };
    const written = await this.commands.run(principal, `dataset-${command.data.datasetId}`, datasetDecider, command);
    return { ...this.view(this.projection.index.tos.get(command.data.tosId)!), ...written };
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
    const { principal, tosId } = request;
    await this.projection.caughtUpWithHead();
    const published = this.projection.index.tos.get(tosId);
    const command: AcceptTos = { type: 'AcceptTos', data: { tosId, userId: principal.userId, published } };
    // Other users' acceptances of this version change no decision on this one: decide again after a lost race.
    const options = { retryOnConflict: true };
    const { state } = await this.commands.decided(principal, `tos-${tosId}`, tosAcceptanceDecider, command, options);
    // Decided, so the caller is a user who has accepted; accepting again answers as the first acceptance did.
    const { data, position } = firstAcceptance(state, principal.userId!)!;
    return { tosId, datasetId: data.datasetId, userId: data.userId, accepted: true as const, revision: String(position) };
  }
}
