/** The JSON published on `tessera.v1.events.<category>` after every commit. */
export interface EventMessage {
  position: string;
  type: string;
  streamId: string;
  streamVersion: number;
  schemaVersion: number;
  recordedAt: string;
  data: Record<string, unknown>;
}
