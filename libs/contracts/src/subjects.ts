/** NATS subjects of CONTRACT.md section 6, plus the internal ones each app answers. */
export const APP_NAMES = ['gateway', 'identity', 'token', 'policy', 'audit'] as const;
export type AppName = (typeof APP_NAMES)[number];

/** Apps that answer over NATS (the gateway only asks). */
export const NATS_APPS = ['identity', 'token', 'policy', 'audit'] as const satisfies readonly AppName[];
export type NatsAppName = (typeof NATS_APPS)[number];

export const EVENT_CATEGORIES = ['identity', 'token', 'policy'] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

export const SUBJECTS = {
  policyCheck: 'tessera.v1.policy.check',
  policyCheckBatch: 'tessera.v1.policy.check-batch',
  policyUserInfo: 'tessera.v1.policy.user-info',
  policyLookupDatasets: 'tessera.v1.policy.lookup-datasets',
  policyLookupUsers: 'tessera.v1.policy.lookup-users',
  tokenIntrospect: 'tessera.v1.token.introspect',
  tokenAuthorize: 'tessera.v1.token.authorize',
  identityCredentials: 'tessera.v1.identity.credentials',
  /** Every committed event, published after commit: `tessera.v1.events.<category>`. */
  events: (category: EventCategory): string => `tessera.v1.events.${category}`,
  allEvents: 'tessera.v1.events.>',
  /** Internal: an app's readiness, asked by the gateway's /readyz. */
  health: <App extends NatsAppName>(app: App): `tessera.v1.${App}.health` => `tessera.v1.${app}.health`,
} as const;

/** Queue group of an app: every replica joins it, so each request reaches exactly one replica. */
export function queueGroup(app: AppName): string {
  return `tessera.${app}`;
}
