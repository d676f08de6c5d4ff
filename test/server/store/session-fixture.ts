// A popup session as the stores keep it, for the store tests (contract, Cluster, Sentinel): its tokens are
// secrets, so a test can look for them at rest.
import type { Session } from '../../../server/sessions/session.ts';

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
