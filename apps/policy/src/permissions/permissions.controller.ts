import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { POLICY_ADMIN_SUBJECTS, requireSuperAdmin, TesseraError } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { ConcurrencyError } from '@tessera/event-store';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { paginate, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyCommands } from '../callers/policy-commands';
import { permissionDecider } from './domain/permission.decider';

/** The permission registry: `view`, `edit`, `admin_view` from the start; names are lowercase words. */
@Controller()
export class PermissionsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly commands: PolicyCommands,
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
    const { name } = request;
    // The stream per name makes a concurrent second registration lose with the same conflict.
    const written = await this.commands
      .run(request.principal, `permission-${String(name)}`, permissionDecider, { type: 'RegisterPermission', data: { name } })
      .catch((error) => {
        throw error instanceof ConcurrencyError ? new TesseraError('conflict', `permission ${name} exists`) : error;
      });
    return { name: request.name, ...written };
  }
}
