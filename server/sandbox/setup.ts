// The sandbox's part of a start: the fake Concur the app talks to when SANDBOX is on, and its company connected the
// way App Center would connect a real one. Production starts never reach this file's work.
import type { Config } from '../config.ts';
import type { CompanyConnection } from '../concur/company-connection.ts';
import { SANDBOX_COMPANY, SandboxConcur } from './concur-state.ts';

/** The fake Concur for this configuration: under PUBLIC_URL's /sandbox/concur, with the configured client. */
export function sandboxConcur(config: Config): SandboxConcur {
  return new SandboxConcur({
    base: `${config.publicUrl}/sandbox/concur`,
    clientId: config.oauth.clientId,
    clientSecret: config.oauth.clientSecret,
    redirectUri: config.oauth.redirectUri,
  });
}

/** The fake Concur is new at each start: its company is connected afresh, as App Center would. */
export async function connectSandboxCompany(sandbox: SandboxConcur, company: CompanyConnection): Promise<void> {
  await company.connect(SANDBOX_COMPANY.id, sandbox.issueCompanyRequestToken(), SANDBOX_COMPANY.adminId);
}
