import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { writeMetadata, type PolicyEvent, type Principal } from '@tessera/contracts';
import { ConcurrencyError, EventStore, handleCommand, type Command, type Decider, type RecordedEvent } from '@tessera/event-store';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';

export interface PolicyCommandOptions {
  /** Inline projection in the append's transaction (the unique names). */
  project?: (client: PoolClient, events: RecordedEvent<PolicyEvent>[]) => Promise<void>;
  /**
   * Decide again on the new state when another write to the stream came first, instead of answering
   * 409: only for commands whose decision no other write to the stream changes (say why where used).
   */
  retryOnConflict?: boolean;
}

/** Enough for the few writers of one stream at one moment; a stream this busy answers 409. */
const CONFLICT_RETRIES = 5;

/**
 * Runs a command on one policy stream: folds the stream, asks the aggregate's decider, appends what
 * it decided at the stream's version with the caller as actor (a concurrent change answers 409
 * `conflict`, nothing written), then waits until this replica's decision index shows it.
 */
@Injectable()
export class PolicyCommands {
  constructor(
    private readonly store: EventStore<PolicyEvent>,
    private readonly projection: DecisionIndexProjection,
  ) {}

  /** The answer's `revision`: where the write landed (this replica's index has it). */
  async run<State, C extends Command, E extends PolicyEvent>(
    principal: Principal,
    streamId: string,
    decider: Decider<State, C, E, RecordedEvent<E>>,
    command: C,
    options: PolicyCommandOptions = {},
  ): Promise<{ revision: string }> {
    const { revision } = await this.decided(principal, streamId, decider, command, options);
    return { revision };
  }

  /** As `run`, with the events decided and the state they leave, for an answer made of them. */
  async decided<State, C extends Command, E extends PolicyEvent>(
    principal: Principal,
    streamId: string,
    decider: Decider<State, C, E, RecordedEvent<E>>,
    command: C,
    options: PolicyCommandOptions = {},
  ): Promise<{ revision: string; events: E[]; state: State }> {
    const { retryOnConflict, project } = options;
    for (let attempt = 1; ; attempt++) {
      try {
        const handled = await handleCommand(this.store, streamId, decider, command, { project, metadata: { ...writeMetadata(principal) } });
        const { state } = handled;
        if (handled.position === undefined) return { revision: String(this.projection.revision), events: [], state };
        await this.projection.reached(handled.position);
        return { revision: String(handled.position), events: handled.events, state };
      } catch (error) {
        if (!retryOnConflict || !(error instanceof ConcurrencyError) || attempt > CONFLICT_RETRIES) throw error;
      }
    }
  }
}
