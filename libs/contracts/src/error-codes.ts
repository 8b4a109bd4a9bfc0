/** The stable snake_case error codes of CONTRACT.md, each with the HTTP status the gateway answers with. */
export const HTTP_STATUS_BY_CODE = {
  bad_request: 400,
  bad_auth_header: 400,
  untrusted_redirect: 400,
  no_token: 401,
  invalid_token: 401,
  expired_token: 401,
  revoked_token: 401,
  invalid_admin_key: 401,
  missing_permission: 403,
  missing_tos: 403,
  insufficient_scope: 403,
  not_admin: 403,
  bad_origin: 403,
  not_found: 404,
  conflict: 409,
  too_many_tokens: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  headers_too_large: 431,
  internal_error: 500,
  unavailable: 503,
  stale: 503,
} as const;

export type ErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(HTTP_STATUS_BY_CODE, value);
}

/** The codes that mean "who are you?": answered with a WWW-Authenticate header. */
export const UNAUTHENTICATED_CODES: ReadonlySet<ErrorCode> = new Set(
  (Object.keys(HTTP_STATUS_BY_CODE) as ErrorCode[]).filter((code) => HTTP_STATUS_BY_CODE[code] === 401),
);
