/**
 * A WhatsApp template reply in words, for its timeline item's `text` (and so its `message.sent`) and
 * the console's bubble: its name, language and body parameters in order (`Template order_update
 * (en_US): Bob, A-17`). Only the template goes to WhatsApp; this line is what agents and integrators
 * read of it. Pure and free of schemas: the console draws it for a reply stored before it was kept.
 */
export function templateText(template: { name: string; language: string; parameters?: readonly string[] }) {
  const parameters = template.parameters ?? [];
  const said = parameters.length ? `: ${parameters.join(', ')}` : '';
  return `Template ${template.name} (${template.language})${said}`;
}
