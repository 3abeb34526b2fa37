/**
 * Arabic-Indic (`٠`-`٩`) and Eastern Arabic-Indic (`۰`-`۹`) digits as ASCII ones, and the Arabic decimal
 * and thousands separators as `.` and `,`: what a customer in the Gulf types (`+٩٧١ ٥٠ ١٢٣ ٤٥٦٧`, a
 * survey's `٥`) read as the number it is. NFKC leaves these digits as they are; the patterns that read
 * phone numbers and scores match ASCII digits. One pass per range, linear; the length is unchanged.
 */
export function asciiDigits(text: string): string {
  return text
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, '.')
    .replace(/\u066c/g, ',');
}
