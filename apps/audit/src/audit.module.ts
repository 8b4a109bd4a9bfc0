import { Module } from '@nestjs/common';
import { AccessController } from './access/access.controller';
import { AccessProjection } from './access/access.projection';
import { EventsController } from './events/events.controller';
import { ExportController } from './export/export.controller';
import { ReplayController } from './replay/replay.controller';
import { ReplayJobs } from './replay/replay-jobs';

@Module({
  controllers: [EventsController, ExportController, AccessController, ReplayController],
  providers: [AccessProjection, ReplayJobs],
})
export class AuditModule {}
