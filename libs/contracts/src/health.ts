/** What an app answers on its health subject, and what `/readyz` reports per component. */
export interface HealthReply {
  app: string;
  ready: boolean;
  /** Event-log position the app's in-memory indexes reflect, as a decimal string. */
  revision: string;
  /** Components that are not ready yet, each with a reason. */
  notReady: Record<string, string>;
}
