/**
 * The `error_description` parameter may hold only %x20-21 / %x23-5B / %x5D-7E (RFC 6749
 * §4.1.2.1 and §5.2; RFC 6750 §3 for the challenge's attribute). Descriptions quote what the
 * caller sent (`grant_type "…" is not supported`), which may be anything, so what goes into the
 * parameter is mapped into that set: double quotes become apostrophes, backslashes slashes, and
 * any other character outside it (CR, LF, non-ASCII) "?". Error pages show the description itself.
 */
export const errorDescription = (text: string): string =>
  text.replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/gu, '?');
