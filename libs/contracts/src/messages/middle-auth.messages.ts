import { MIDDLE_AUTH_SUBJECTS as M } from '../middle-auth-subjects';
import type { Message, Revision } from './message';
import type { PolicyAdminMessage } from './policy.messages';

/** A terms of service the user (or a service account's parent) has not accepted, as middle_auth spells it. */
export interface MiddleAuthMissingTos {
  dataset_id: string;
  dataset_name: string;
  tos_id: string;
  tos_name: string;
}

/** middle_auth's user-cache object (CONTRACT section 8), already capped by the token's scopes. */
export interface MiddleAuthUserCache {
  id: number;
  parent_id: number | null;
  service_account: boolean;
  name: string;
  email: string | null;
  admin: boolean;
  pi: string;
  affiliations: string[];
  groups: string[];
  /** dataset name → 0 | 1 (view) | 2 (edit). */
  permissions: Record<string, number>;
  permissions_v2: Record<string, string[]>;
  permissions_v2_ignore_tos: Record<string, string[]>;
  missing_tos: MiddleAuthMissingTos[];
  datasets_admin: string[];
  groups_admin: string[];
}

/** The questions about a table's public roots; root ids travel as decimal strings (they outgrow doubles). */
export type PublicRootsQuestion = { table: string } & (
  { ask: 'has_public' } | { ask: 'is_public'; root: string } | { ask: 'all_public'; roots: string[] }
);

/** The subjects behind the middle_auth-compatible routes. */
export interface MiddleAuthMessages {
  /** The object alone, its revision in the REVISION_HEADER: the gateway's answer as it stands. */
  [M.userCache]: PolicyAdminMessage<Record<never, never>, MiddleAuthUserCache>;
  [M.userPermissions]: PolicyAdminMessage<{ number: number }, { user: MiddleAuthUserCache } & Revision>;
  [M.usernames]: PolicyAdminMessage<{ numbers: number[] }, { users: { id: number; name: string }[] } & Revision>;
  [M.tableDataset]: PolicyAdminMessage<{ service: string; table: string }, { dataset: string } & Revision>;
  [M.tos]: PolicyAdminMessage<
    { tosId: string },
    { id: string; title: string; text: string; datasetName: string | null; accepted: boolean } & Revision
  >;
  [M.publicRoots]: Message<PublicRootsQuestion, { answer: boolean } & Revision>;
}
