import type { HealthReply } from '@tessera/contracts';

/** What an app reports on its health subject: ready once every registered component is. */
export class Readiness {
  private readonly pending = new Map<string, string>();
  private revisionSource: () => number = () => 0;

  constructor(private readonly app: string) {}

  /** Marks a component not ready, with the reason `/readyz` shows. */
  waitFor(component: string, reason: string): void {
    this.pending.set(component, reason);
  }

  ready(component: string): void {
    this.pending.delete(component);
  }

  /** Where the app's in-memory indexes stand in the log. */
  reportRevision(source: () => number): void {
    this.revisionSource = source;
  }

  report(): HealthReply {
    return {
      app: this.app,
      ready: this.pending.size === 0,
      revision: String(this.revisionSource()),
      notReady: Object.fromEntries(this.pending),
    };
  }
}
