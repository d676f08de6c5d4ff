// The query string Concur sends to GET /launchexternalurl/v4/form, parsed with zod.
import { z } from 'zod';

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

export const LaunchV4Query = z.object({
  company_domain: required('company_domain'),
  logged_in_user_id: required('logged_in_user_id'),
  report_owner_user_id: required('report_owner_user_id'),
  // Concur may send an empty employee id; it still takes part in the signature as "".
  report_owner_employee_id: z.string().default(''),
  item_url: required('item_url'),
  custom_field_launched_from: required('custom_field_launched_from').pipe(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'custom_field_launched_from is not a field id'),
  ),
  source: z
    .string({ error: 'source is missing' })
    .transform((v) => v.trim().toUpperCase())
    .pipe(z.enum(['HEADER', 'ENTRY', 'ALLOCATION'], { error: 'source must be HEADER, ENTRY or ALLOCATION' })),
  expense_ids: z.string().optional(),
  is_mobile: z
    .string()
    .optional()
    .transform((v) => v?.trim().toLowerCase() === 'true'),
  nonce: required('nonce').pipe(z.string().max(200, 'nonce is too long')),
  signature: required('signature').pipe(z.string().max(200, 'signature is too long')),
  client_auth_code: required('client_auth_code').pipe(z.string().max(4096, 'client_auth_code is too long')),
  language_code: languageCode,
});
export type LaunchV4Query = z.infer<typeof LaunchV4Query>;
