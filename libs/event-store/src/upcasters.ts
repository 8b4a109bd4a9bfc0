import type { EventPayload } from './event';

export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** Upcasters by event type and the schema version they read; each lifts data by one version. */
export class Upcasters {
  private readonly byType = new Map<string, Map<number, Upcaster>>();

  register(type: string, fromVersion: number, upcast: Upcaster): this {
    const versions = this.byType.get(type) ?? new Map<number, Upcaster>();
    versions.set(fromVersion, upcast);
    this.byType.set(type, versions);
    return this;
  }

  apply<Event extends EventPayload>(event: Event): Event {
    const versions = this.byType.get(event.type);
    if (!versions) return event;
    let { data, schemaVersion } = event;
    for (let step = versions.get(schemaVersion); step; step = versions.get(schemaVersion)) {
      data = step(data);
      schemaVersion += 1;
    }
    return schemaVersion === event.schemaVersion ? event : { ...event, data, schemaVersion };
  }
}

/** The upcasters every reader applies; features register theirs beside their event definitions. */
export const upcasters = new Upcasters();
