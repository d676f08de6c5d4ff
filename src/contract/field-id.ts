// A Concur form field's id as the connector names fields (custom12, orgUnit3, ...): a letter, then letters, digits,
// - and _, at most 64 characters. One rule for the launch, the configuration, the embedding page and the sandbox.
export const FIELD_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export const isFieldId = (s: string): boolean => FIELD_ID.test(s);
