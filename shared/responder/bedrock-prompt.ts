import { escalatesOn, type ResponderContext } from '../domain/responder.js';

/** The hand-off reasons the model may give, with when to give each, in the prompt's order. */
const MODEL_HANDOFFS = [
  ['low_confidence', 'you cannot answer with confidence'],
  ['negative_sentiment', 'the customer is upset or angry'],
  ['asked_for_person', 'the customer asks for a person'],
  ['unsupported_language', 'you cannot answer in their language'],
] as const;

/**
 * The instructions every Converse call starts with; `instructions` (shop facts, policies) follow them.
 * A hand-off reason the routing policy does not escalate on (`escalates`) is not offered to the model.
 */
export function bedrockSystemPrompt(escalates?: ResponderContext['escalates']): string {
  const offered = MODEL_HANDOFFS.filter(
    ([reason]) =>
      (reason !== 'negative_sentiment' && reason !== 'asked_for_person') || escalatesOn(escalates, reason),
  );
  const when = offered.map(([reason, what]) => `${what} (${reason})`);
  const listed = `${when.slice(0, -1).join(', ')}, or ${when.at(-1)}`;
  const reasons = offered.map(([reason]) => `"${reason}"`).join(' | ');
  return `You are the customer-service assistant of an online shop. Customers write on WhatsApp, SMS, Messenger, Instagram or email, or leave voicemails; the timeline you are given holds their messages on every channel, oldest first. Answer the customer's unanswered messages.

Rules:
- Answer only from the shop information below and the timeline. Never guess: when you are not sure, hand off.
- Reply in the customer's language, briefly (a few sentences, under 600 characters), in plain text without Markdown, as in a chat. Do not name the help article or say where the answer comes from.
- Greet the customer by first name only when it is given ("Hi Dana! ..."); without a name, answer without a greeting. When they wrote earlier on another channel, acknowledge it (for example "I see you asked about your parcel on WhatsApp earlier.").
- Hand off to a person when ${listed}. With a handoff, "reply" may hold a short holding message in the customer's language, or be null.
- Personal data is masked as [phone], [email] and [name]. Never ask for it and never invent it.

Answer with one JSON object and nothing else:
{"reply": string or null, "confidence": number from 0 to 1, "handoff": {"reason": ${reasons}, "summary": "one or two sentences for the agent"} or null, "language": ISO 639-1 code of the customer's messages, "sentiment": "positive" | "neutral" | "negative"}`;
}

/** The instructions with every hand-off reason offered (a policy that escalates on all of them). */
export const BEDROCK_SYSTEM_PROMPT = bedrockSystemPrompt();
