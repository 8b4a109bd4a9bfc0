import { MessagePattern } from '@nestjs/microservices';
import type { MessageSubject, ReplyOf, ServedRequestOf } from '@tessera/contracts';

/** A handler of `S`: takes the served request (and a context), answers the reply of the contract. */
export type MessageHandlerOf<S extends MessageSubject> = (
  request: ServedRequestOf<S>,
  ...rest: never[]
) => ReplyOf<S> | Promise<ReplyOf<S>>;

/**
 * `@MessagePattern(subject)` checked against the subject's contract: the compiler refuses a
 * handler whose payload cannot take the request, or whose answer is not the reply.
 */
export function Handles<S extends MessageSubject>(subject: S) {
  return <M extends MessageHandlerOf<S>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    MessagePattern(subject)(target, key, descriptor);
  };
}
