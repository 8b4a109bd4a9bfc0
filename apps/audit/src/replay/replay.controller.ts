import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AUDIT_SUBJECTS, type ReplayProgress } from '@tessera/contracts';
import { ReplayJobs } from './replay-jobs';

/** `POST /api/v1/audit/replay` and `GET /api/v1/audit/replay/:jobId`. */
@Controller()
export class ReplayController {
  constructor(private readonly jobs: ReplayJobs) {}

  @MessagePattern(AUDIT_SUBJECTS.replayStart)
  start(@Payload() body: { projection?: unknown }) {
    return this.jobs.start(body?.projection);
  }

  @MessagePattern(AUDIT_SUBJECTS.replayProgress)
  progress(@Payload() body: Partial<ReplayProgress>) {
    return this.jobs.recordProgress(body);
  }

  @MessagePattern(AUDIT_SUBJECTS.replayStatus)
  status(@Payload() body: { jobId?: unknown }) {
    return this.jobs.status(body?.jobId);
  }
}
