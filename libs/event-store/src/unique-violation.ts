/** PostgreSQL's unique_violation: an inline projection's unique index refused a duplicate. */
const UNIQUE_VIOLATION = '23505';

/** Whether `error` is a unique violation (of that constraint, when one is named). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const { code, constraint: violated } = (error ?? {}) as { code?: string; constraint?: string };
  return code === UNIQUE_VIOLATION && (constraint === undefined || violated === constraint);
}
