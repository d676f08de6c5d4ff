// Turns Concur's OAuth error codes (protocol sheet §4) into messages that say who should do what next.

export interface OAuthErrorBody {
  code?: number | string;
  error?: string;
  error_description?: string;
  geolocation?: string;
}

const MESSAGES: Record<number, string> = {
  5: 'Concur did not accept the sign-in. Close this window and click the button in Concur again.',
  53: 'Your company has not enabled this application in Concur. An administrator must enable it under App Center or Company Admin before the field can be used.',
  59: 'This application has been disabled in Concur. Ask your Concur administrator to re-enable it.',
  60: 'The application is not allowed to use the authorization code grant. An administrator must add the authorization_code grant to the client ID.',
  61: 'Concur does not know this application. An administrator must check CONCUR_CLIENT_ID.',
  64: 'Concur rejected the application credentials. An administrator must check CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET.',
  101: 'Concur did not send a sign-in code. Close this window and click the button in Concur again.',
  102: 'The connector sent no redirect URL. An administrator must set CONCUR_REDIRECT_URI to the Redirect URL on the Launch External URL service configuration.',
  103: 'The sign-in code from Concur has expired or was already used. Close this window and click the button in Concur again.',
  104: 'The connector\'s redirect URL does not match the one registered in Concur. An administrator must set CONCUR_REDIRECT_URI to exactly the Redirect URL on the Launch External URL service configuration.',
  105: 'This sign-in code was issued to another application. An administrator must check CONCUR_CLIENT_ID.',
};

export function oauthErrorMessage(body: OAuthErrorBody): string {
  const code = Number(body.code);
  return (
    MESSAGES[code] ??
    `Concur refused the sign-in${body.error ? ` (${body.error}${Number.isFinite(code) ? ` ${code}` : ''})` : ''}. Close this window and try again; if it keeps happening, tell your administrator.`
  );
}
