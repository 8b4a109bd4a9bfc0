import {
  TesseraError,
  type ExternalIdentityLinked,
  type ServiceAccountCreated,
  type UserEvent,
  type UserRegistered,
} from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';

/** A user or service account as its stream (`user-<id>`) leaves it; they share one id space. */
export type UserState =
  | { status: 'unknown' }
  | {
      status: 'active' | 'deactivated';
      userId: string;
      serviceAccount: boolean;
      name: string;
      admin: boolean;
      readOnly: boolean;
      pi: boolean;
      /** Has an external identity (issuer, subject): found at a login, not by e-mail. */
      linked: boolean;
    };

/** A user registered by a super admin (no external identity) or found at a first login (issuer, subject). */
export type RegisterUser = Command<'RegisterUser', UserRegistered['data']>;
export type CreateServiceAccount = Command<'CreateServiceAccount', ServiceAccountCreated['data']>;
/** Only the fields given are changed; giving a field its current value changes nothing. */
export type UpdateUser = Command<'UpdateUser', { userId: string; name?: string; admin?: boolean; readOnly?: boolean; pi?: boolean }>;
/** Every token of the user stops working, then is revoked by the token app; memberships end. */
export type DeactivateUser = Command<'DeactivateUser', { userId: string }>;
/** A first login by a verified e-mail claims an active user that has no external identity yet. */
export type LinkExternalIdentity = Command<'LinkExternalIdentity', ExternalIdentityLinked['data']>;

export type UserCommand = RegisterUser | CreateServiceAccount | UpdateUser | DeactivateUser | LinkExternalIdentity;

const FLAGS = ['admin', 'readOnly', 'pi'] as const;

function notFound(): TesseraError {
  return new TesseraError('not_found', 'no such user');
}

export function decide(command: UserCommand, state: UserState): UserEvent[] | TesseraError {
  switch (command.type) {
    case 'RegisterUser':
      if (state.status !== 'unknown') return new TesseraError('conflict', `user ${command.data.userId} exists`);
      return [{ type: 'UserRegistered', data: command.data }];
    case 'CreateServiceAccount':
      if (state.status !== 'unknown') return new TesseraError('conflict', `user ${command.data.userId} exists`);
      return [{ type: 'ServiceAccountCreated', data: command.data }];
    case 'UpdateUser': {
      if (state.status === 'unknown') return notFound();
      const { userId, name } = command.data;
      const change: Extract<UserEvent, { type: 'UserUpdated' }>['data'] = { userId };
      if (name !== undefined && name !== state.name) change.name = name;
      for (const flag of FLAGS) {
        const value = command.data[flag];
        if (value !== undefined && value !== state[flag]) change[flag] = value;
      }
      return Object.keys(change).length > 1 ? [{ type: 'UserUpdated', data: change }] : [];
    }
    case 'DeactivateUser':
      if (state.status === 'unknown') return notFound();
      return state.status === 'active' ? [{ type: 'UserDeactivated', data: { userId: command.data.userId } }] : [];
    case 'LinkExternalIdentity':
      if (state.status === 'unknown') return notFound();
      if (state.serviceAccount) return new TesseraError('conflict', 'a service account has no external identity');
      if (state.status === 'deactivated') return new TesseraError('conflict', 'the user is deactivated');
      if (state.linked) return new TesseraError('conflict', 'the user has an external identity already');
      return [{ type: 'ExternalIdentityLinked', data: command.data }];
  }
}

export function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, name, admin, readOnly, issuer } = event.data;
      return { status: 'active', userId, serviceAccount: false, name, admin, readOnly, pi: false, linked: issuer !== null };
    }
    case 'ServiceAccountCreated':
      return {
        status: 'active',
        userId: event.data.userId,
        serviceAccount: true,
        name: event.data.name,
        admin: false,
        readOnly: false,
        pi: false,
        linked: false,
      };
    case 'UserUpdated': {
      if (state.status === 'unknown') return state;
      const { name, admin, readOnly, pi } = event.data;
      return { ...state, name: name ?? state.name, admin: admin ?? state.admin, readOnly: readOnly ?? state.readOnly, pi: pi ?? state.pi };
    }
    case 'UserDeactivated':
      return state.status === 'unknown' ? state : { ...state, status: 'deactivated' };
    case 'ExternalIdentityLinked':
      return state.status === 'unknown' ? state : { ...state, linked: true };
  }
}

export const initialState = (): UserState => ({ status: 'unknown' });

export const userDecider: Decider<UserState, UserCommand, UserEvent> = { decide, evolve, initialState };
