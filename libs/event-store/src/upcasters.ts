import { userNumberOfUuid, type Event, type EventData, type EventType, type TesseraEvent } from '@tessera/contracts';

/** Lifts the data of one stored schema version to the next; the last step yields the shape the union declares. */
export type Upcaster<Data extends object = object> = (data: Record<string, unknown>) => Record<string, unknown> | Data;

/** A stored event before upcasting: its type name, schema version and data as they are in the log. */
interface StoredEvent {
  type: string;
  schemaVersion: number;
  data: object;
}

/**
 * Upcasters by event type and the schema version they read; each lifts data by one version, so an
 * old log stays readable as the union `E` declares its events today. Types are checked against `E`.
 */
export class Upcasters<E extends Event = TesseraEvent> {
  private readonly byType = new Map<string, Map<number, Upcaster>>();

  register<T extends EventType<E>>(type: T, fromVersion: number, upcast: Upcaster<EventData<E, T>>): this {
    const versions = this.byType.get(type) ?? new Map<number, Upcaster>();
    versions.set(fromVersion, upcast);
    this.byType.set(type, versions);
    return this;
  }

  /** True when some stored version of `type` is lifted: a reader that skips `apply` for it must not. */
  lifts(type: string): boolean {
    return this.byType.has(type);
  }

  apply<Stored extends StoredEvent>(event: Stored): Stored {
    const versions = this.byType.get(event.type);
    if (!versions) return event;
    let data = event.data as Record<string, unknown>;
    let schemaVersion = event.schemaVersion;
    for (let step = versions.get(schemaVersion); step; step = versions.get(schemaVersion)) {
      data = step(data) as Record<string, unknown>;
      schemaVersion += 1;
    }
    return schemaVersion === event.schemaVersion ? event : { ...event, data, schemaVersion };
  }
}

/** The upcasters every reader applies; features register theirs beside their event definitions. */
export const upcasters = new Upcasters<TesseraEvent>();

// Users and service accounts registered before user numbers existed: the number their UUID gives.
const numbered = (data: Record<string, unknown>) =>
  typeof data.number === 'number' || typeof data.userId !== 'string' ? data : { ...data, number: userNumberOfUuid(data.userId) };
upcasters.register('UserRegistered', 1, numbered as Upcaster<EventData<TesseraEvent, 'UserRegistered'>>);
upcasters.register('ServiceAccountCreated', 1, numbered as Upcaster<EventData<TesseraEvent, 'ServiceAccountCreated'>>);
