import type { Msg } from '@nats-io/transport-node';
import { BaseRpcContext } from '@nestjs/microservices';

/** What a NATS handler may read besides the body: the subject and the message headers. */
export class NatsJsonContext extends BaseRpcContext<[Msg]> {
  get message(): Msg {
    return this.args[0];
  }

  get subject(): string {
    return this.message.subject;
  }

  /** The `Authorization` header, if the caller sent one. */
  get authorization(): string | undefined {
    return this.message.headers?.get('Authorization') || undefined;
  }
}
