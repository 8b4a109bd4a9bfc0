import { Module } from '@nestjs/common';
import { ConsoleSite } from './console-site';

/** CONTRACT section 11: the web console (apps/console, built into dist/console), served at `/`. */
@Module({ providers: [ConsoleSite] })
export class ConsoleModule {}
