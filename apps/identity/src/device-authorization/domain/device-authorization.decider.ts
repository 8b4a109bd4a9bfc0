import { TesseraError, type DeviceAuthorizationEvent } from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';

/** A device login as its stream (`device-<id>`) leaves it. */
export type DeviceAuthorizationState =
  { status: 'unknown' } | { status: 'pending'; expiresAt: number } | { status: 'approved' | 'denied'; expiresAt: number; userId: string };

export type RequestDeviceAuthorization = Command<
  'RequestDeviceAuthorization',
  { requestId: string; clientId: string; scopes: string[]; expiresAt: string }
>;
export type ApproveDeviceAuthorization = Command<
  'ApproveDeviceAuthorization',
  { requestId: string; userId: string; tokenId: string; now: number }
>;
export type DenyDeviceAuthorization = Command<'DenyDeviceAuthorization', { requestId: string; userId: string; now: number }>;
export type DeviceAuthorizationCommand = RequestDeviceAuthorization | ApproveDeviceAuthorization | DenyDeviceAuthorization;

/** Approval and denial are decided once, by one signed-in user, before the request expires. */
function stillOpen(state: DeviceAuthorizationState, now: number): TesseraError | undefined {
  if (state.status === 'unknown') return new TesseraError('not_found', 'no device login with this code');
  if (state.status !== 'pending') return new TesseraError('conflict', `this device login was ${state.status} already`);
  if (now >= state.expiresAt) return new TesseraError('not_found', 'this device login has expired: start it again on the device');
  return undefined;
}

export function decide(command: DeviceAuthorizationCommand, state: DeviceAuthorizationState): DeviceAuthorizationEvent[] | TesseraError {
  switch (command.type) {
    case 'RequestDeviceAuthorization':
      if (state.status !== 'unknown') return new TesseraError('conflict', `device login ${command.data.requestId} exists`);
      return [{ type: 'DeviceAuthorizationRequested', data: { ...command.data } }];
    case 'ApproveDeviceAuthorization': {
      const refused = stillOpen(state, command.data.now);
      if (refused) return refused;
      const { requestId, userId, tokenId } = command.data;
      return [{ type: 'DeviceAuthorizationApproved', data: { requestId, userId, tokenId } }];
    }
    case 'DenyDeviceAuthorization': {
      const refused = stillOpen(state, command.data.now);
      if (refused) return refused;
      const { requestId, userId } = command.data;
      return [{ type: 'DeviceAuthorizationDenied', data: { requestId, userId } }];
    }
  }
}

export function evolve(state: DeviceAuthorizationState, event: DeviceAuthorizationEvent): DeviceAuthorizationState {
  switch (event.type) {
    case 'DeviceAuthorizationRequested':
      return { status: 'pending', expiresAt: Date.parse(event.data.expiresAt) };
    case 'DeviceAuthorizationApproved':
      return { status: 'approved', expiresAt: state.status === 'unknown' ? 0 : state.expiresAt, userId: event.data.userId };
    case 'DeviceAuthorizationDenied':
      return { status: 'denied', expiresAt: state.status === 'unknown' ? 0 : state.expiresAt, userId: event.data.userId };
  }
}

export const initialState = (): DeviceAuthorizationState => ({ status: 'unknown' });

export const deviceAuthorizationDecider: Decider<DeviceAuthorizationState, DeviceAuthorizationCommand, DeviceAuthorizationEvent> = {
  decide,
  evolve,
  initialState,
};
