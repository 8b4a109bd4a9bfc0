import type { AuditMessages, HealthMessages, ReplayMessages } from './audit.messages';
import type { IdentityMessages } from './identity.messages';
import type { MiddleAuthMessages } from './middle-auth.messages';
import type { PolicyMessages } from './policy.messages';
import type { TokenMessages } from './token.messages';

export * from './audit.messages';
export * from './identity.messages';
export * from './message';
export * from './middle-auth.messages';
export * from './policy.messages';
export * from './token.messages';

/**
 * Every request subject with its request and reply types: one contract shared by the callers
 * (TesseraClient) and the handlers that serve it (`@Handles(subject)`), as NestJS's gRPC sample
 * shares one interface between client and server.
 */
export type TesseraMessages = IdentityMessages &
  TokenMessages &
  PolicyMessages &
  MiddleAuthMessages &
  AuditMessages &
  ReplayMessages &
  HealthMessages;

export type MessageSubject = keyof TesseraMessages;
export type RequestOf<S extends MessageSubject> = TesseraMessages[S]['request'];
export type ReplyOf<S extends MessageSubject> = TesseraMessages[S]['reply'];
/** What the serving handler gets: the request once the app resolved the caller. */
export type ServedRequestOf<S extends MessageSubject> = TesseraMessages[S]['served'];
