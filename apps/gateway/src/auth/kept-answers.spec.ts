import { KeptAnswers } from './kept-answers';

const answer = (revision: number, validUntil?: number, text = `{"at":${revision}}`) => ({
  body: Buffer.from(text),
  revision: String(revision),
  ...(validUntil === undefined ? {} : { validUntil }),
});

/** The owner of the answers a test does not tell apart by owner. */
const user = { userId: 'someone', serviceAccount: false };

describe('KeptAnswers', () => {
  it('gives a kept answer back until a change after its revision is seen', () => {
    const kept = new KeptAnswers(10);
    kept.keep('alice', answer(12, Infinity), 0, user);
    expect(kept.get('alice', 1)?.revision).toBe('12');
    kept.changed(12);
    expect(kept.get('alice', 2)?.revision).toBe('12');
    kept.changed(13);
    expect(kept.get('alice', 3)).toBeUndefined();
  });

  it('does not keep an answer made before the last change seen, nor one that does not say until when it holds', () => {
    const kept = new KeptAnswers(10);
    kept.keep('old', answer(9, Infinity), 0, user);
    kept.keep('silent', answer(11), 0, user);
    kept.keep('broken', answer(11, NaN), 0, user);
    kept.keep('past', answer(11, 5), 5, user);
    expect(['old', 'silent', 'broken', 'past'].map((key) => kept.get(key, 5))).toEqual([undefined, undefined, undefined, undefined]);
    expect(kept.size).toBe(0);
  });

  it("forgets, on a change to one user, that user's answers and every service account's, and keeps the others'", () => {
    const kept = new KeptAnswers(10);
    const alice = { userId: 'alice', serviceAccount: false };
    kept.keep('alice', answer(11, Infinity), 0, alice);
    kept.keep('bob', answer(11, Infinity), 0, { userId: 'bob', serviceAccount: false });
    kept.keep('pipeline', answer(11, Infinity), 0, { userId: 'pipeline', serviceAccount: true });
    kept.changedFor(new Map([['bob', 12]]));
    expect(['alice', 'bob', 'pipeline', 'nobody'].map((key) => kept.get(key, 0)?.revision)).toEqual([
      '11',
      undefined,
      undefined,
      undefined,
    ]);
    // An answer made before that change is not kept for bob, nor for a service account; for alice it is.
    kept.keep('bob', answer(11, Infinity), 0, { userId: 'bob', serviceAccount: false });
    kept.keep('pipeline', answer(11, Infinity), 0, { userId: 'pipeline', serviceAccount: true });
    kept.keep('alice', answer(11, Infinity, '"again"'), 0, alice);
    expect(['alice', 'bob', 'pipeline'].map((key) => kept.get(key, 0)?.body.toString())).toEqual(['"again"', undefined, undefined]);
    // A change to anybody forgets alice's too.
    kept.changed(13);
    expect(kept.size).toBe(0);
  });

  it('forgets who changed when beyond 100,000 users: every answer must then reflect the last change', () => {
    const kept = new KeptAnswers();
    const carol = { userId: 'carol', serviceAccount: false };
    kept.keep('carol', answer(5, Infinity), 0, carol);
    kept.changedFor(new Map(Array.from({ length: 100_001 }, (_, n) => [`user-${n}`, 10 + n] as const)));
    expect(kept.get('carol', 0)).toBeUndefined();
    kept.keep('carol', answer(100_009, Infinity), 0, carol);
    expect(kept.get('carol', 0)).toBeUndefined();
    kept.keep('carol', answer(100_010, Infinity), 0, carol);
    expect(kept.get('carol', 0)?.revision).toBe('100010');
  });

  it('forgets an answer once its own end of validity passes, with no event', () => {
    const kept = new KeptAnswers();
    kept.keep('frank', answer(1, 1_000), 0, user);
    expect(kept.get('frank', 999)?.revision).toBe('1');
    expect(kept.get('frank', 1_000)).toBeUndefined();
    expect(kept.size).toBe(0);
  });

  it('answers a caller asking for a later revision than the kept one by a miss', () => {
    const kept = new KeptAnswers();
    kept.keep('bob', answer(5, Infinity), 0, user);
    expect(kept.get('bob', 0, 5)?.revision).toBe('5');
    expect(kept.get('bob', 0, 6)).toBeUndefined();
  });

  it('keeps answers by key, the newest for each', () => {
    const kept = new KeptAnswers();
    kept.keep('carol w *', answer(1, Infinity, '"all"'), 0, user);
    kept.keep('carol r view', answer(1, Infinity, '"view"'), 0, user);
    kept.keep('carol w *', answer(2, Infinity, '"all again"'), 0, user);
    expect(kept.get('carol w *', 0)?.body.toString()).toBe('"all again"');
    expect(kept.get('carol r view', 0)?.body.toString()).toBe('"view"');
    expect(kept.size).toBe(2);
  });

  it('forgets the oldest answers beyond 64 MiB, their keys and entries counted too', () => {
    const kept = new KeptAnswers();
    const big = 'x'.repeat(1024 * 1024);
    for (let n = 0; n < 70; n++) kept.keep(`user-${n}`, answer(1, Infinity, big), 0, user);
    // 64 bodies of 1 MiB would be 64 MiB exactly: with their keys and entries, 63 fit.
    expect(kept.size).toBe(63);
    expect(kept.get('user-6', 0)).toBeUndefined();
    expect(kept.get('user-7', 0)?.body.length).toBe(big.length);
    expect(kept.get('user-69', 0)?.body.length).toBe(big.length);
    // Small answers under long keys (a check's question): bounded by what the keys take.
    const questions = new KeptAnswers();
    const long = 'q'.repeat(2000);
    for (let n = 0; n < 20_000; n++) questions.keep(`${n} ${long}`, answer(1, Infinity, '{}'), 0, user);
    expect(questions.size).toBeGreaterThan(10_000);
    expect(questions.size).toBeLessThan(20_000);
    expect(questions.get(`19999 ${long}`, 0)).toBeDefined();
    expect(questions.get(`0 ${long}`, 0)).toBeUndefined();
  });
});
