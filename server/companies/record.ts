// A company the connector serves, as the registry keeps it in the store (every instance reads the same records):
// the company_domain its launches name, its own connector credentials, its fields configuration and its catalogs.
// The configuration's own company (CONNECTOR_USERNAME, CATALOG_FILE, FIELDS_FILE, ...) is not kept here: it is
// built from the environment at start, as it always was, under DEFAULT_COMPANY_ID.
import type { ConnectorCredentials } from '../launch/signature.ts';

/** The id of the company the environment variables define (a single-company installation). */
export const DEFAULT_COMPANY_ID = 'default';

/** A registered company's id: lower-case letters and digits, made at onboarding (not the domain: it never changes). */
export const COMPANY_ID = /^[a-z0-9]{6,32}$/;

export interface CompanyRecord {
  id: string;
  /** The company_domain Concur sends in this company's launches, lower case; unique across companies. */
  domain: string;
  displayName: string;
  /**
   * What the company's administrator entered in Concur's registration. The password verifies launch signatures,
   * so it is kept (sealed at rest by the SQLite and Redis stores), never logged and never shown after creation.
   */
  connector: ConnectorCredentials;
  /**
   * During a rotation, the pair Concur may still sign with: both are accepted until Concur's Test Connection has
   * used the new pair (the administrator has entered it), then this is dropped.
   */
  previousConnector?: ConnectorCredentials;
  /** The company's Concur UUID, once its App Center connection is linked to it (the Connect page's verification). */
  concurCompanyId?: string;
  /** The SHA-256 (base64url) of the one-time code the Connect page asks for; gone once used. */
  verificationHash?: string;
  /** The company's fields configuration (the FIELDS_FILE format, checked when it is set). */
  fields?: unknown;
  /** The names of the catalogs kept for it: '' for its catalog, a field id for a field's own catalog. */
  catalogs: string[];
  createdAt: number;
  updatedAt: number;
}

/** A catalog kept in the store for a company: the file's text as it was given, and its format. */
export interface StoredCatalog {
  format: 'csv' | 'json';
  text: string;
  updatedAt: number;
}

/**
 * What a registered company's hand-off codes and session tokens start with, so a request finds its company before
 * its session (and only in that company's scope); the configuration's own company's have no prefix.
 */
export const companyTokenPrefix = (companyId: string) => (companyId === DEFAULT_COMPANY_ID ? '' : `${companyId}.`);

/** The company a hand-off code or session token names: its prefix, or the configuration's own company. */
export function companyOfToken(token: string): string {
  const dot = token.indexOf('.');
  return dot > 0 ? token.slice(0, dot) : DEFAULT_COMPANY_ID;
}

/** The store scope of a company's keys (sessions, nonces, recent picks, rate limits, its connection); '' for the default one. */
export const companyScope = (companyId: string) => (companyId === DEFAULT_COMPANY_ID ? '' : `c.${companyId}.`);
