import type { NatsConnection } from '@nats-io/transport-node';
import type { MessageSubject, ReplyOf, RequestOf } from '@tessera/contracts';
import { requestJson, requestServed, type NatsRequestOptions, type ServedAnswer } from './nats-request';

/**
 * The one typed client of Tessera's subjects: the subject names the request and reply types
 * (`TesseraMessages` in libs/contracts). Used by the gateway, the apps that ask each other, and
 * the tests; it is `requestJson` underneath (errors rethrown as the owning app's TesseraError).
 */
export class TesseraClient {
  constructor(readonly nats: NatsConnection) {}

  request<S extends MessageSubject>(subject: S, body: RequestOf<S>, options?: NatsRequestOptions): Promise<ReplyOf<S>> {
    return requestJson<ReplyOf<S>>(this.nats, subject, body, options);
  }

  /** The answer's bytes and revision, to forward as the HTTP body without parsing it (see requestServed). */
  requestServed<S extends MessageSubject>(subject: S, body: RequestOf<S>, options?: NatsRequestOptions): Promise<ServedAnswer> {
    return requestServed(this.nats, subject, body, options);
  }
}
