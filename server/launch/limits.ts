// How long launch artefacts live.

/** Concur documents no nonce expiry, so a used nonce is remembered well past any plausible popup lifetime. */
export const NONCE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** A session lives as long as a user might keep the popup open; its token is refreshed within it. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** The popup claims its session right after the redirect. */
export const HANDOFF_TTL_MS = 2 * 60 * 1000;
