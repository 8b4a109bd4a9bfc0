import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { TOKEN_INTERNAL_SUBJECTS } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { TesseraClient } from '@tessera/messaging';

/**
 * `lastUsedAt` without a write per request: the gateway remembers the last use of each token in
 * memory and sends the batch to the token app every few seconds (a lost batch only makes
 * `lastUsedAt` a little older).
 */
@Injectable()
export class TokenUseRecorder implements OnModuleInit, OnApplicationShutdown {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: TesseraClient,
    private readonly config: TesseraConfig,
  ) {}

  record(tokenId: string): void {
    this.pending.set(tokenId, Date.now());
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.TESSERA_LAST_USED_FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const uses = [...this.pending];
    this.pending = new Map();
    await this.client.request(TOKEN_INTERNAL_SUBJECTS.used, { uses }, { timeoutMs: 2_000 }).catch(() => undefined);
  }
}
