import { Injectable } from '@nestjs/common';
import { userStreamId, type IdentityEvent, type UserEvent, type WriteMetadata } from '@tessera/contracts';
import { EventStore, handleCommand, type Handled } from '@tessera/event-store';
import { userDecider, type UserCommand, type UserState } from './domain/user.decider';
import { projectUsers } from './users.projection';

/**
 * Runs a command on one user's stream: folds it, asks the user decider, appends what it decided at
 * the stream's version, with the users table changed in the same transaction.
 */
@Injectable()
export class UserCommands {
  constructor(private readonly store: EventStore<IdentityEvent>) {}

  /** `by`: the caller's writeMetadata, or an actor name for writes no caller makes (a login). */
  run(command: UserCommand, by: string | WriteMetadata): Promise<Handled<UserState, UserEvent>> {
    return handleCommand(this.store, userStreamId(command.data.userId), userDecider, command, {
      metadata: typeof by === 'string' ? { actor: by } : { ...by },
      project: projectUsers,
    });
  }
}
