import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS, requireSuperAdmin } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { isActiveUser, paginate, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyCommands } from '../callers/policy-commands';
import { affiliationDecider } from './domain/affiliation.decider';

/** Institutions, and users' affiliations with them from a start to an optional end. */
@Controller()
export class AffiliationsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly commands: PolicyCommands,
  ) {}

  @Handles(POLICY_ADMIN_SUBJECTS.createAffiliation)
  async create(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { name: string; contactName?: string; contactEmail?: string }) {
    requireSuperAdmin(request.principal);
    const affiliationId = randomUUID();
    const data = {
      affiliationId,
      name: request.name,
      contactName: request.contactName ?? null,
      contactEmail: request.contactEmail ?? null,
    };
    const written = await this.commands.run(request.principal, `affiliation-${affiliationId}`, affiliationDecider, {
      type: 'CreateAffiliation',
      data,
    });
    return { id: affiliationId, name: data.name, contactName: data.contactName, contactEmail: data.contactEmail, ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putUserAffiliation)
  async put(
    @Payload(ForwardedCallerPipe) request: ForwardedRequest & { userId: string; affiliationId: string; start: string; end?: string | null },
  ) {
    requireSuperAdmin(request.principal);
    const { principal, userId, start, end } = request;
    const affiliationId = String(request.affiliationId);
    await this.projection.caughtUpWithHead();
    const userActive = isActiveUser(this.projection.index, userId);
    // Each user's affiliation stands alone: another user's in between changes nothing this one decides.
    const { revision, events } = await this.commands.decided(
      principal,
      `affiliation-${affiliationId}`,
      affiliationDecider,
      { type: 'AffiliateUser', data: { affiliationId, userId, start, end, userActive } },
      { retryOnConflict: true },
    );
    const [affiliated] = events.filter((event) => event.type === 'UserAffiliated');
    return { ...affiliated.data, revision };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.listAffiliations)
  async listAll(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { limit?: string | number; cursor?: string }) {
    requireSuperAdmin(request.principal);
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const items = [...index.affiliations.entries()]
      .map(([id, affiliation]) => ({
        id,
        name: affiliation.name,
        contactName: affiliation.contactName,
        contactEmail: affiliation.contactEmail,
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return { ...paginate(items, request.limit, request.cursor), revision: String(index.position) };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.listUserAffiliations)
  async list(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { userId: string; limit?: string | number; cursor?: string }) {
    if (request.principal.userId !== request.userId) requireSuperAdmin(request.principal);
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const now = Date.now();
    const items = [...(index.userAffiliations.get(request.userId)?.values() ?? [])]
      .map((item) => ({
        ...item,
        name: index.affiliations.get(item.affiliationId)?.name ?? null,
        current: Date.parse(item.start) <= now && (item.end === null || Date.parse(item.end) > now),
      }))
      .sort((a, b) => a.start.localeCompare(b.start));
    return { ...paginate(items, request.limit, request.cursor), revision: String(index.position) };
  }
}
