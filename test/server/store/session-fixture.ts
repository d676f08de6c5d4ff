// What the store tests (contract, Cluster, Sentinel) keep: a popup session, whose tokens are secrets a test can look
// for at rest, and a write-back attempt for the audit log.
import type { Session } from '../../../server/sessions/session.ts';
import type { WriteRecord } from '../../../server/store/store.ts';

export const SESSION: Session = {
  version: 4,
  companyDomain: 'acme.com',
  loggedInUserId: 'u1',
  languageCode: 'de',
  isMobile: false,
  createdAt: 1,
  item: {
    kind: 'ENTRY',
    base: 'https://us.api.concursolutions.com',
    userId: 'u1',
    contextType: 'TRAVELER',
    reportId: 'R1',
    expenseId: 'E1',
  },
  fieldId: 'custom12',
  expenseIds: [],
  reportOwnerUserId: 'u1',
  reportOwnerEmployeeId: 'EMP-1',
  token: {
    accessToken: 'secret-access-token-1234567890',
    refreshToken: 'secret-refresh-token-0987654321',
    expiresAt: 2,
  },
};

/** The n-th write-back attempt, at `at`: its correlation id and value tell it apart. */
export const auditRecord = (at: number, n: number): WriteRecord => ({
  at,
  companyDomain: 'acme.com',
  userId: 'u1',
  item: `ENTRY R1/E${n}`,
  fields: [{ field: 'custom12', old: null, new: `PRJ-${n}` }],
  result: 'written',
  correlationId: `corr-${n}`,
});
