import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import type { PolicyAdminSubject, Principal } from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';
import { NATS_CONNECTION } from '@tessera/platform';

/** Forwards a policy endpoint to the policy app with the caller the gateway authenticated. */
@Injectable()
export class PolicyForwarder {
  constructor(@Inject(NATS_CONNECTION) private readonly nats: NatsConnection) {}

  forward<T = Record<string, unknown>>(
    subject: PolicyAdminSubject,
    principal: Principal,
    minRevision: number | undefined,
    body: object = {},
  ): Promise<T> {
    return requestJson<T>(this.nats, subject, { ...body, principal, ...(minRevision !== undefined ? { minRevision } : {}) });
  }
}
