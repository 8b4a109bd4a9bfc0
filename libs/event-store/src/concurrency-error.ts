import { TesseraError } from '@tessera/contracts';

/** An append lost a race: the stream is not at the expected version. Answered as 409 `conflict`. */
export class ConcurrencyError extends TesseraError {
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: number,
  ) {
    super('conflict', `stream ${streamId} changed concurrently: expected version ${expected}, found ${actual}`);
  }
}
