// The longest web-chat message, apart from the request schema so the widget can count against it
// without bundling zod.

/** Longest message a visitor may send, in characters (a long email's worth, not a file). */
export const WEBCHAT_TEXT_MAX = 4000;
