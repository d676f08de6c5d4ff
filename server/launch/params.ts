// The query string Concur sends to GET /launchexternalurl/v4/form, parsed with zod (Concur Request's, with its own
// owner names, in request-params.ts).
import { z } from 'zod';
import { FIELD_ID } from '../../src/contract/field-id.ts';
import type { Product } from '../../src/contract/api.ts';

const required = (name: string) =>
  z.string({ error: `${name} is missing` }).refine((v) => v.trim() !== '', `${name} is empty`);

/** language_code: xx, xx-XX or xx_XX (pre-GA form); anything else falls back to English. */
const languageCode = z
  .string()
  .optional()
  .transform((v) => {
    const m = /^([a-z]{2})(?:[-_]([a-z]{2}))?$/i.exec(v?.trim() ?? '');
    if (!m) return 'en';
    return m[2] ? `${m[1]!.toLowerCase()}-${m[2].toUpperCase()}` : m[1]!.toLowerCase();
  });

/**
 * The signed values are concatenated without separators, so the signature alone cannot tell where one ends and the
 * next begins: "ab" + "c" signs like "a" + "bc". Checking each value's format pins every boundary: a Concur user id
 * is a UUID (36 characters, protocol sheet §1), item_url starts with a scheme, and no value holds characters that
 * Concur never sends. With the user ids fixed in length, nothing can move between company_domain, the two ids and
 * the employee id; item_url's "http" start pins its boundary with the employee id.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const userId = (name: string) =>
  required(name).pipe(z.string().regex(UUID, `${name} is not a Concur user id (a UUID)`));
/** Printable text without spaces or controls: a domain, a nonce. */
const token = (name: string, max: number) =>
  z
    .string()
    .max(max, `${name} is too long`)
    .regex(/^[^\s\p{C}]*$/u, `${name} holds spaces or control characters`);
/** An employee id is the company's own: spaces are possible, control characters are not. */
export const employeeId = (name: string) =>
  z
    .string()
    .max(255, `${name} is too long`)
    .regex(/^\P{C}*$/u, `${name} holds control characters`);
const itemUrl = required('item_url').pipe(
  z
    .string()
    .max(2048, 'item_url is too long')
    .refine((v) => /^https?:\/\/[^\s\p{C}]+$/iu.test(v), 'item_url is not an http(s) address'),
);

/** What both products' launches send, except the owner's ids, which each names its own way (protocol sheet §2). */
export const launchV4Common = {
  company_domain: required('company_domain').pipe(token('company_domain', 255)),
  logged_in_user_id: userId('logged_in_user_id'),
  item_url: itemUrl,
  custom_field_launched_from: required('custom_field_launched_from').pipe(
    z.string().regex(FIELD_ID, 'custom_field_launched_from is not a field id'),
  ),
  source: z
    .string({ error: 'source is missing' })
    .transform((v) => v.trim().toUpperCase())
    .pipe(z.enum(['HEADER', 'ENTRY', 'ALLOCATION'], { error: 'source must be HEADER, ENTRY or ALLOCATION' })),
  // Unsigned, and only a hint: an allocation is written with the expense Concur says it belongs to.
  expense_ids: z.string().max(4096, 'expense_ids is too long').optional(),
  is_mobile: z
    .string()
    .optional()
    .transform((v) => v?.trim().toLowerCase() === 'true'),
  nonce: required('nonce').pipe(token('nonce', 200)),
  signature: required('signature').pipe(z.string().max(200, 'signature is too long')),
  client_auth_code: required('client_auth_code').pipe(z.string().max(4096, 'client_auth_code is too long')),
  language_code: languageCode,
};

/** A launch's schema with the owner's ids where Concur's lists put them: after the logged-in user. */
export function launchV4Object<Owner extends z.ZodRawShape>(owner: Owner) {
  const { company_domain, logged_in_user_id, ...rest } = launchV4Common;
  return z.object({ company_domain, logged_in_user_id, ...owner, ...rest });
}

const ExpenseLaunchV4Query = launchV4Object({
  report_owner_user_id: userId('report_owner_user_id'),
  // Concur may send an empty employee id; it still takes part in the signature as "".
  report_owner_employee_id: employeeId('report_owner_employee_id').default(''),
});

/**
 * A verified-to-be v4 launch. The owner's ids keep Expense's names whatever the product: a Request launch's
 * request_owner_* take their place, in the same place of the signed string (protocol sheet §2). `product` says
 * which path the launch came to; it is set by the path's parser, never read from the query.
 */
export type LaunchV4Query = z.output<typeof ExpenseLaunchV4Query> & { product: Product };

/** An Expense launch (GET /launchexternalurl/v4/form). */
export const LaunchV4Query = ExpenseLaunchV4Query.transform((q): LaunchV4Query => ({ ...q, product: 'expense' }));
