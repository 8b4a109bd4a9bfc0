import { BUILT_IN_PERMISSIONS, PERMISSION_NAME_PATTERN, TesseraError, type PermissionRegistered } from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';

/** The events of a permission stream (`permission-<name>`). */
export type PermissionEvent = PermissionRegistered;

/** A permission name as its stream (`permission-<name>`) leaves it; the built-in names have no stream. */
export type PermissionState = { status: 'unknown' } | { status: 'registered'; name: string };

/** `name` as the caller gave it: lowercase words joined by underscores. */
export type RegisterPermission = Command<'RegisterPermission', { name: unknown }>;
export type PermissionCommand = RegisterPermission;

export function decide(command: PermissionCommand, state: PermissionState): PermissionEvent[] | TesseraError {
  const { name } = command.data;
  if (typeof name !== 'string' || !PERMISSION_NAME_PATTERN.test(name)) {
    const problem = 'must be lowercase words joined by underscores';
    return new TesseraError('bad_request', `name: ${problem}`, [{ field: 'name', problems: [problem] }]);
  }
  if (state.status === 'registered' || (BUILT_IN_PERMISSIONS as readonly string[]).includes(name)) {
    return new TesseraError('conflict', `permission ${name} exists`);
  }
  return [{ type: 'PermissionRegistered', data: { name } }];
}

export function evolve(_state: PermissionState, event: PermissionEvent): PermissionState {
  return { status: 'registered', name: event.data.name };
}

export const initialState = (): PermissionState => ({ status: 'unknown' });

export const permissionDecider: Decider<PermissionState, PermissionCommand, PermissionEvent> = { decide, evolve, initialState };
