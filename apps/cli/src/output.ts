import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

export interface Progress {
  update(value: number, total: number, detail: string): void;
  stop(): void;
}

const format = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/** Data to stdout (JSON with --json, a table or lines for people), progress and notes to stderr. */
export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** With --json the data as JSON; otherwise whatever `human` prints. */
  result(data: unknown, human: () => void): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else human();
  }

  line(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** A note for the person at the terminal (stderr, so it never mixes with data). */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  table<T>(rows: T[], columns: Column<T>[]): void {
    if (rows.length === 0) {
      this.note('(none)');
      return;
    }
    if (!this.io.stdout.isTTY) {
      // Piped: tab-separated lines, easy for cut and awk.
      this.line(columns.map((column) => column.header).join('\t'));
      for (const row of rows) this.line(columns.map((column) => format(column.value(row))).join('\t'));
      return;
    }
    const table = new Table({ head: columns.map((column) => column.header), style: { head: ['bold'], border: [] } });
    for (const row of rows) table.push(columns.map((column) => format(column.value(row))));
    this.line(table.toString());
  }

  /** A progress bar on stderr when it is a terminal; silent when piped. */
  progress(label: string): Progress {
    if (!this.io.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
    const bar = new SingleBar({
      stream: this.io.stderr as NodeJS.WriteStream,
      format: `${label} [{bar}] {percentage}% {detail}`,
      hideCursor: true,
      clearOnComplete: false,
    });
    let started = false;
    return {
      update(value, total, detail) {
        if (!started) bar.start(Math.max(1, total), 0, { detail });
        started = true;
        bar.setTotal(Math.max(1, total));
        bar.update(Math.min(value, Math.max(1, total)), { detail });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
}
