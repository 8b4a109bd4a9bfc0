import { TesseraError } from '@tessera/contracts';

const USER_NUMBER = /^\d{1,15}$/;
const ROOT_ID = /^\d{1,20}$/;
/** middle_auth_client sends the roots of one request; more than this is not one request's worth. */
const MAX_ROOTS = 10_000;

function badField(field: string, problem: string): TesseraError {
  return new TesseraError('bad_request', `${field}: ${problem}`, [{ field, problems: [problem] }]);
}

/** `1,2,3` → [1, 2, 3]: user numbers, as middle_auth's ids, typed as numbers. */
export function parseUserNumbers(text: string, field: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (text.trim() === '' || parts.some((part) => !USER_NUMBER.test(part))) {
    throw badField(field, 'must be user numbers (non-negative integers), separated by commas');
  }
  return parts.map(Number);
}

/**
 * Root ids exactly as written: 64-bit integers outgrow doubles, so the digits are taken from the
 * body's text once the parsed body is known to be an array of integers (or of decimal strings).
 */
export function parseRootIds(parsed: unknown, text: string | undefined, field: string): string[] {
  if (!Array.isArray(parsed)) throw badField(field, 'must be a JSON array of integers');
  if (parsed.length > MAX_ROOTS) throw badField(field, `must hold at most ${MAX_ROOTS} root ids`);
  const valid = parsed.every(
    (item) => (typeof item === 'number' && Number.isInteger(item) && item >= 0) || (typeof item === 'string' && ROOT_ID.test(item)),
  );
  if (!valid) throw badField(field, 'must be a JSON array of non-negative integers');
  if (parsed.every((item) => typeof item === 'string')) return parsed as string[];
  const tokens = text?.match(/"[^"]*"|[^\s,[\]]+/g) ?? [];
  if (tokens.length !== parsed.length) throw badField(field, 'must be a JSON array of non-negative integers');
  return tokens.map((token, index) => {
    const digits = token.startsWith('"') ? token.slice(1, -1) : token;
    if (!ROOT_ID.test(digits)) throw badField(`${field}[${index}]`, 'must be a non-negative integer without exponent or fraction');
    return digits;
  });
}
