/**
 * Exit codes that say what failed (the BSD sysexits numbers, so scripts can tell them apart).
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 64,
  notFound: 66,
  unavailable: 69,
  auth: 77,
  notLoggedIn: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the user should read: its message goes to stderr, its code becomes the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    /** For an HTTP refusal: its status and the API's error code (`missing_permission`, …). */
    readonly http?: { status: number; error?: string; message?: string },
  ) {
    super(message);
  }
}
