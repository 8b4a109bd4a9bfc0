import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS, POLICY_EVENTS, TesseraError, type PolicyEvent } from '@tessera/contracts';
import { ConcurrencyError, readStream } from '@tessera/event-store';
import { Handles } from '@tessera/messaging';
import type { TosVersion } from '../decisions/decision-index';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyCommands } from '../callers/policy-commands';
import { PolicyWriter } from '../callers/policy-writer';
import { datasetDecider } from '../datasets/domain/dataset.decider';

/** Tries of one acceptance against concurrent acceptances of the same version. */
const ACCEPT_ATTEMPTS = 5;

/** Versioned terms of service per dataset; text is stored and returned as plain text. */
@Controller()
export class TosController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly writer: PolicyWriter,
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
    const userId = request.principal.userId;
    if (!userId) throw new TesseraError('bad_request', 'only a user can accept terms of service');
    await this.projection.caughtUpWithHead();
    const tos = this.projection.index.tos.get(request.tosId);
    if (!tos) throw notFound('terms of service');
    const answer = { tosId: tos.id, datasetId: tos.datasetId, userId, accepted: true as const };
    const streamId = `tos-${tos.id}`;
    // Other users accept the same version at the same time: a lost race is tried again on the new version.
    for (let attempt = 1; ; attempt++) {
      const history = await readStream<PolicyEvent>(this.writer.pool, streamId);
      // Accepting again changes nothing: no second event, the first acceptance's revision.
      const earlier = history.find((event) => event.type === 'TosAccepted' && event.data.userId === userId);
      if (earlier) return { ...answer, revision: String(earlier.position) };
      const expectedVersion = history.length === 0 ? ('no_stream' as const) : history[history.length - 1].streamVersion;
      try {
        const written = await this.writer.write(request.principal, {
          streamId,
          expectedVersion,
          events: [{ type: POLICY_EVENTS.tosAccepted, data: { tosId: tos.id, datasetId: tos.datasetId, userId } }],
        });
        return { ...answer, ...written };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= ACCEPT_ATTEMPTS) throw error;
      }
    }
  }
}
