import type { ReplayReplicaProgress } from '@tessera/contracts';
import { jobOutcome } from './replica-progress';

const replica = (id: string, progress: Partial<ReplayReplicaProgress>): ReplayReplicaProgress => ({
  replica: id,
  status: 'running',
  position: '0',
  target: '100',
  matchesLive: null,
  failure: null,
  ...progress,
});

describe('jobOutcome', () => {
  it('runs while the accepting replicas are still being counted, even if every report so far has ended', () => {
    expect(jobOutcome([replica('a', { status: 'swapped', position: '100', matchesLive: true })], null)).toMatchObject({
      status: 'running',
      position: 100,
    });
  });

  it('runs until every replica that accepted has reported its end, and shows the slowest position', () => {
    const reports = [replica('a', { status: 'swapped', position: '100', matchesLive: true }), replica('b', { position: '40' })];
    expect(jobOutcome(reports, 2)).toEqual({ status: 'running', position: 40, target: 100, matchesLive: null, failure: null });
    expect(jobOutcome(reports.slice(0, 1), 2).status).toBe('running');
  });

  it('is swapped when all swapped, matching only if every copy matched', () => {
    const matching = [replica('a', { status: 'swapped', position: '100', matchesLive: true })];
    expect(jobOutcome([...matching, replica('b', { status: 'swapped', position: '100', matchesLive: true })], 2)).toEqual({
      status: 'swapped',
      position: 100,
      target: 100,
      matchesLive: true,
      failure: null,
    });
    expect(jobOutcome([...matching, replica('b', { status: 'swapped', position: '100', matchesLive: false })], 2).matchesLive).toBe(false);
  });

  it('fails when any replica failed, naming it', () => {
    const outcome = jobOutcome(
      [replica('a', { status: 'swapped', position: '100', matchesLive: true }), replica('b', { status: 'failed', failure: 'boom' })],
      2,
    );
    expect(outcome).toMatchObject({ status: 'failed', matchesLive: null, failure: 'replica b: boom' });
  });
});
