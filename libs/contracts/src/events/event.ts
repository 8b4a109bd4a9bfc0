/**
 * One event as a discriminated union member: its type name and the shape of its data. Each
 * category's events form a union (`IdentityEvent`, `TokenEvent`, `PolicyEvent`), so a
 * `switch (event.type)` narrows `event.data` with no cast.
 */
export interface Event<Type extends string = string, Data extends object = Record<string, unknown>> {
  type: Type;
  data: Data;
}

/** The type names of a union of events. */
export type EventType<E extends Event> = E['type'];

/** The data of the event of type `T` in the union `E`. */
export type EventData<E extends Event, T extends EventType<E> = EventType<E>> = Extract<E, { type: T }>['data'];
