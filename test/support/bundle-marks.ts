/**
 * Texts only one heavy dependency holds, to tell from a bundle's text whether it was inlined: the
 * bundles are minified, so each is as esbuild writes it.
 */

/** The start of eld's n-gram data (its languages' table, the same in every size of it): its 1.6 MB. */
export const ELD_DATA_TEXT = 'languages:{0:"am",1:"ar",2:"az"';

/** A header name only mailparser spells out (its header handling): the MIME reader's mark in a bundle. */
export const MAILPARSER_TEXT = 'disposition-notification-to';
