const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

export function formatTime(iso: string | null | undefined, never = '—'): string {
  return iso ? dateTime.format(new Date(iso)) : never;
}

export function formatDate(iso: string | null | undefined, never = '—'): string {
  return iso ? dateOnly.format(new Date(iso)) : never;
}

/** The value of an `<input type="datetime-local">` for a moment, in the browser's time zone. */
export function toLocalInput(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** An `<input type="datetime-local">` value as an ISO instant. */
export function fromLocalInput(value: string): string {
  return new Date(value).toISOString();
}
