import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS, POLICY_EVENTS, requireSuperAdmin, TesseraError } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, requireKnownUser, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyWriter } from '../callers/policy-writer';

/** Institutions, and users' affiliations with them from a start to an optional end. */
@Controller()
export class AffiliationsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly writer: PolicyWriter,
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
    const written = await this.writer.write(request.principal, {
      streamId: `affiliation-${affiliationId}`,
      expectedVersion: 'no_stream',
      events: [{ type: POLICY_EVENTS.affiliationCreated, data }],
    });
    return { id: affiliationId, name: data.name, contactName: data.contactName, contactEmail: data.contactEmail, ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putUserAffiliation)
  async put(
    @Payload(ForwardedCallerPipe) request: ForwardedRequest & { userId: string; affiliationId: string; start: string; end?: string | null },
  ) {
    requireSuperAdmin(request.principal);
    await this.projection.caughtUpWithHead();
    if (!this.projection.index.affiliations.has(request.affiliationId)) throw notFound('affiliation');
    requireKnownUser(this.projection.index, request.userId);
    const start = Date.parse(request.start);
    const end = request.end ? Date.parse(request.end) : null;
    if (Number.isNaN(start))
      throw new TesseraError('bad_request', 'start: must be a date', [{ field: 'start', problems: ['must be a date'] }]);
    if (end !== null && (Number.isNaN(end) || end < start)) {
      throw new TesseraError('bad_request', 'end: must be a date not before start', [
        { field: 'end', problems: ['must be a date not before start'] },
      ]);
    }
    const data = {
      affiliationId: request.affiliationId,
      userId: request.userId,
      start: new Date(start).toISOString(),
      end: end === null ? null : new Date(end).toISOString(),
    };
    const written = await this.writer.write(request.principal, {
      streamId: `affiliation-${request.affiliationId}`,
      events: [{ type: POLICY_EVENTS.userAffiliated, data }],
    });
    return { ...data, ...written };
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
