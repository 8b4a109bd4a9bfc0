import { Command } from 'commander';
import type { ReplayJob } from '@tessera/contracts';
import { CliError } from '../cli-error';
import type { CliContext, CliRuntime } from '../cli-context';

export function register(program: Command, cli: CliRuntime): void {
  program
    .command('replay')
    .description('rebuild a projection from the event log and swap it in (super admin)')
    .argument('<projection>', 'audit-access, token-index, decision-index, identity-read-models or policy-read-models')
    .action(cli.action(replay));
}

async function replay(context: CliContext, projection: string): Promise<void> {
  const { jobId } = await context.api.json<{ jobId: string }>('POST', '/api/v1/audit/replay', { projection });
  context.out.note(`replay ${projection}: job ${jobId}`);
  const bar = context.out.progress('replay');
  for (;;) {
    const job = await context.api.json<ReplayJob>('GET', `/api/v1/audit/replay/${jobId}`);
    if (job.status === 'failed') {
      bar.stop();
      throw new CliError(`replay failed: ${job.failure}`);
    }
    const target = Math.max(1, Number(job.target) || 1);
    if (job.status === 'swapped') {
      bar.update(target, target, `at ${job.position}`);
      bar.stop();
      context.out.result(job, () => context.out.line(`replay ${projection}: swapped in at position ${job.position}`));
      if (job.matchesLive === false) context.out.note('the rebuilt copy differed from the live one; the rebuilt copy is now live');
      return;
    }
    bar.update(Math.round(job.progress * target), target, `${job.position}/${job.target} events`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
