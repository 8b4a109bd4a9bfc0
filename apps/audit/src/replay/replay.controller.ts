import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AUDIT_SUBJECTS, type ReplayProgress } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { ReplayJobs } from './replay-jobs';

/** `POST /api/v1/audit/replay` and `GET /api/v1/audit/replay/:jobId`. */
@Controller()
export class ReplayController {
  constructor(private readonly jobs: ReplayJobs) {}

  @Handles(AUDIT_SUBJECTS.replayStart)
  start(@Payload() body: { projection?: unknown }) {
    return this.jobs.start(body?.projection);
  }

  @Handles(AUDIT_SUBJECTS.replayProgress)
  progress(@Payload() body: Partial<ReplayProgress>) {
    return this.jobs.recordProgress(body);
  }

  @Handles(AUDIT_SUBJECTS.replayStatus)
  status(@Payload() body: { jobId?: unknown }) {
    return this.jobs.status(body?.jobId);
  }
}
