import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every TypeScript source of the gateway, tests aside. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [file] : [];
  });
}

/** The gateway only forwards: the log is read by the apps that own it (its token index reads through libs/token-index). */
describe('the gateway’s boundaries', () => {
  const files = sources(__dirname).map((file) => ({ file: path.relative(__dirname, file), text: readFileSync(file, 'utf8') }));

  it('imports nothing but types from libs/event-store', () => {
    const valueImports = files.filter(({ text }) => /^import\s+(?!type\b)[^;]*from\s+'@tessera\/event-store'/m.test(text));
    expect(valueImports.map(({ file }) => file)).toEqual([]);
  });

  it('names no table of the event store', () => {
    expect(files.filter(({ text }) => text.includes('event_store.')).map(({ file }) => file)).toEqual([]);
  });
});
