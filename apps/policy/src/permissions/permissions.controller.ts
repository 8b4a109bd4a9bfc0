import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { PERMISSION_NAME_PATTERN, POLICY_ADMIN_SUBJECTS, POLICY_EVENTS, requireSuperAdmin, TesseraError } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { ConcurrencyError } from '@tessera/event-store';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { paginate, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyWriter } from '../callers/policy-writer';

/** The permission registry: `view`, `edit`, `admin_view` from the start; names are lowercase words. */
@Controller()
export class PermissionsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly writer: PolicyWriter,
  ) {}

  @Handles(POLICY_ADMIN_SUBJECTS.listPermissions)
  async list(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { limit?: string | number; cursor?: string }) {
    await this.projection.atLeast(request.minRevision);
    const names = [...this.projection.index.permissions].sort().map((name) => ({ name }));
    return { ...paginate(names, request.limit, request.cursor), revision: String(this.projection.revision) };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.registerPermission)
  async register(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { name: string }) {
    requireSuperAdmin(request.principal);
    if (typeof request.name !== 'string' || !PERMISSION_NAME_PATTERN.test(request.name)) {
      throw new TesseraError('bad_request', 'name: must be lowercase words joined by underscores', [
        { field: 'name', problems: ['must be lowercase words joined by underscores'] },
      ]);
    }
    await this.projection.caughtUpWithHead();
    const conflict = new TesseraError('conflict', `permission ${request.name} exists`);
    if (this.projection.index.permissions.has(request.name)) throw conflict;
    // The stream per name makes a concurrent second registration lose with a conflict.
    const written = await this.writer
      .write(request.principal, {
        streamId: `permission-${request.name}`,
        expectedVersion: 'no_stream',
        events: [{ type: POLICY_EVENTS.permissionRegistered, data: { name: request.name } }],
      })
      .catch((error) => {
        throw error instanceof ConcurrencyError ? conflict : error;
      });
    return { name: request.name, ...written };
  }
}
