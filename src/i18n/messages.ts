// Sentences built from data, in the user's language: an API failure by its code, a refused wizard answer.
import { msg, str } from '@lit/localize';
import { ApiError } from '../api/api-error.ts';
import type { Problem } from '../contract/problem.ts';
import { formatDate, formatNumber } from './format.ts';

export interface FailureText {
  /** What happened, in the user's language. */
  message: string;
  /** The server's own words when they add something (Concur's reason, the value refused), in English. */
  detail?: string;
  /** The reference a user can quote to support. */
  reference?: string;
}

/** The server explains these in its own words, which say more than our sentence; the others it does not. */
const DETAILED = new Set([
  'concur_request_refused',
  'value_not_in_catalog',
  'flow_answer_invalid',
  'invalid_request',
  'concur_unavailable',
  'source_unavailable',
]);

export function failureText(e: unknown): FailureText {
  if (!(e instanceof ApiError)) return { message: msg('Something went wrong. Please try again.') };
  let known = true;
  const message = (() => {
    switch (e.code) {
      case 'session_missing':
        return msg("This window's session has ended. Close it and click the button in Concur again.");
      case 'timeout':
        return msg('The connector did not answer in time. Please try again.');
      case 'network':
        return msg('Could not reach the connector. Check your connection and try again.');
      case 'bad_response':
        return msg('The connector sent an answer this page does not understand. Please reload.');
      case 'concur_unavailable':
        return msg('Concur did not answer in time. Please try again.');
      case 'concur_request_refused':
        return msg('Concur refused the change.');
      case 'value_not_in_catalog':
        return msg('That value cannot be chosen for this field.');
      case 'flow_answer_invalid':
        return msg('An answer cannot be accepted. Please check it and try again.');
      case 'source_unavailable':
        return msg('The list of values is not available right now. Please try again.');
      case 'internal_error':
        return msg('The connector hit an unexpected problem. Please try again.');
      default:
        if (e.code.startsWith('oauth_') || e.code === 'concur_sign_in_failed')
          return msg('Concur did not let us sign you in. Close this window and click the button in Concur again.');
        known = false;
        return msg('The connector could not do that. Please try again.');
    }
  })();
  const detail = DETAILED.has(e.code) || !known ? e.message : undefined;
  return {
    message,
    ...(detail && detail !== message ? { detail } : {}),
    ...(e.correlationId ? { reference: e.correlationId } : {}),
  };
}

/** Why an answer is refused, for the message under the field. */
export function problemText(p: Problem, locale: string): string {
  switch (p.kind) {
    case 'required':
      return msg('Please answer this question.');
    case 'tooShort':
      return msg(str`Please write at least ${p.min} characters.`);
    case 'tooLong':
      return msg(str`Please write at most ${p.max} characters.`);
    case 'pattern':
      return p.hint ?? msg('This is not in the expected form.');
    case 'notNumber':
      return msg('Please enter a number, for example 12 or 12.5.');
    case 'decimals':
      return p.decimals === 0
        ? msg('Please enter a whole number.')
        : msg(str`Please use at most ${p.decimals} decimal places.`);
    case 'belowMin':
      return msg(str`Please enter ${formatNumber(p.min, locale)} or more.`);
    case 'aboveMax':
      return msg(str`Please enter ${formatNumber(p.max, locale)} or less.`);
    case 'notDate':
      return msg('Please enter a valid date.');
    case 'dateBefore':
      return msg(str`Please choose ${formatDate(p.min, locale)} or later.`);
    case 'dateAfter':
      return msg(str`Please choose ${formatDate(p.max, locale)} or earlier.`);
    case 'notOption':
      return msg('Please choose one of the options.');
    case 'notOffered':
      return msg(str`${p.value} is no longer offered here. Please choose again.`);
    case 'inactive':
      return msg(str`This value cannot be chosen here: ${p.reason}.`);
    case 'writtenTooLong':
      return msg(
        str`This would be written as “${p.value}”, which is longer than the ${p.max} characters Concur keeps. Please choose another value or ask your administrator.`,
      );
  }
}
