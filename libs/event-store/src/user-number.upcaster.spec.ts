import { userNumberOfUuid } from '@tessera/contracts';
import { upcasters } from './upcasters';

describe('user numbers of registrations written before numbers existed', () => {
  const userId = '0b6c1f3e-5d0a-4c39-9a57-1f0b7d8e2c11';

  it('gives an old UserRegistered and ServiceAccountCreated the number of their UUID', () => {
    for (const type of ['UserRegistered', 'ServiceAccountCreated']) {
      const lifted = upcasters.apply({ type, schemaVersion: 1, data: { userId, name: 'Ada' } });
      expect(lifted.data).toEqual({ userId, name: 'Ada', number: 0x0b6c1f3e5d0a });
      expect(userNumberOfUuid(userId)).toBe(0x0b6c1f3e5d0a);
    }
  });

  it('keeps the number an event carries', () => {
    const lifted = upcasters.apply({ type: 'UserRegistered', schemaVersion: 1, data: { userId, name: 'Ada', number: 42 } });
    expect((lifted.data as { number: number }).number).toBe(42);
  });
});
