// The query string Concur Request sends to GET /request/launchexternalurl/v4/form (protocol sheet §2): Expense's
// parameters with the request owner's ids in place of the report owner's, read into the same LaunchV4Query; and
// the check, on both paths, that a launch names its owner one way only.
import { z } from 'zod';
import { employeeId, launchV4Object, LaunchV4Query, userId } from './params.ts';
import { requestOwnerSigned } from './signature.ts';
import { LaunchParamsInvalid } from '../errors.ts';
import type { Product } from '../../src/contract/api.ts';

/** Where each product's launches come (Concur's default endpoints, protocol sheet §1, §2). */
export const LAUNCH_PATHS = {
  expense: '/launchexternalurl/v4/form',
  request: '/request/launchexternalurl/v4/form',
} as const satisfies Record<Product, string>;

/** The example on Concur's Request page spells the employee id so (protocol sheet §2, §12.7). */
export const MISSPELLED_EMPLOYEE_ID = 'repquest_owner_employee_id';
const OWNER_NAMES = {
  expense: ['report_owner_user_id', 'report_owner_employee_id'],
  request: ['request_owner_user_id', 'request_owner_employee_id', MISSPELLED_EMPLOYEE_ID],
} as const satisfies Record<Product, readonly string[]>;
const PRODUCT_NAMES = { expense: 'Concur Expense', request: 'Concur Request' } as const;

const RequestLaunchV4Fields = launchV4Object({
  request_owner_user_id: userId('request_owner_user_id'),
  // Empty, like Expense's, still takes part in the signature as "".
  request_owner_employee_id: employeeId('request_owner_employee_id').default(''),
  // [AMB] Only in the Definitions table ("Request Entry ID ... only for Allocation"): unsigned, a hint like expense_ids.
  request_ids: z.string().max(4096, 'request_ids is too long').optional(),
});

/**
 * A Request launch, read as LaunchV4Query: the request owner's ids take the report owner's place, which is also
 * their place in the signed string (the concatenation is byte-identical, protocol sheet §2). request_ids and
 * expense_ids, both unsigned hints, are kept together.
 */
export const RequestLaunchV4Query = RequestLaunchV4Fields.transform(({ request_ids, ...rest }): LaunchV4Query => {
  const hints = [rest.expense_ids, request_ids].filter((v) => v?.trim()).join(',');
  return { ...requestOwnerSigned(rest), ...(hints ? { expense_ids: hints } : {}), product: 'request' };
});

/**
 * A launch names its owner as its product does, and one way only: Expense's names and Request's together, or a
 * product's names on the other's path, are refused (the signature would not say whose ids they are). Concur's
 * misspelled `repquest_owner_employee_id` is read as request_owner_employee_id when that is absent (the value is
 * signed either way, so reading it lets nothing unsigned in); both, with different values, are refused.
 */
export function checkOwnerNames(raw: Record<string, string>, product: Product): Record<string, string> {
  const present = (names: readonly string[]) => names.filter((n) => Object.hasOwn(raw, n));
  const expense = present(OWNER_NAMES.expense);
  const request = present(OWNER_NAMES.request);
  if (expense.length && request.length)
    throw new LaunchParamsInvalid(
      `Concur's link names the owner both as Concur Expense does (${expense.join(', ')}) and as Concur Request ` +
        `does (${request.join(', ')}); a launch comes from one of them.`,
    );
  const other: Product = product === 'expense' ? 'request' : 'expense';
  const foreign = product === 'expense' ? request : expense;
  if (foreign.length)
    throw new LaunchParamsInvalid(
      `This link comes from ${PRODUCT_NAMES[other]} (it names ${foreign.join(', ')}), but was sent to ` +
        `${PRODUCT_NAMES[product]}'s address, ${LAUNCH_PATHS[product]}. Your administrator should set the ` +
        `${PRODUCT_NAMES[other]} Launch External URL endpoint to ${LAUNCH_PATHS[other]}.`,
    );
  if (product !== 'request' || !Object.hasOwn(raw, MISSPELLED_EMPLOYEE_ID)) return raw;
  const { [MISSPELLED_EMPLOYEE_ID]: misspelled, ...rest } = raw;
  if (Object.hasOwn(raw, 'request_owner_employee_id') && raw.request_owner_employee_id !== misspelled)
    throw new LaunchParamsInvalid(
      `Concur's link names the request owner's employee id twice, as request_owner_employee_id and as ` +
        `${MISSPELLED_EMPLOYEE_ID}, with different values.`,
    );
  return { ...rest, request_owner_employee_id: misspelled! };
}

/** Parses a launch of this product: its owner's names first, then every parameter's format. */
export function parseLaunchV4Query(raw: Record<string, string>, product: Product) {
  const named = checkOwnerNames(raw, product);
  return product === 'request' ? RequestLaunchV4Query.safeParse(named) : LaunchV4Query.safeParse(named);
}
