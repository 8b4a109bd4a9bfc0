import { Module } from '@nestjs/common';
import { AccessController } from './access/access.controller';
import { AccessProjection } from './access/access.projection';
import { EventsController } from './events/events.controller';
import { ExportResponder } from './export/export-responder';
import { ReplayController } from './replay/replay.controller';
import { ReplayJobs } from './replay/replay-jobs';

@Module({
  controllers: [EventsController, AccessController, ReplayController],
  providers: [AccessProjection, ReplayJobs, ExportResponder],
})
export class AuditModule {}
