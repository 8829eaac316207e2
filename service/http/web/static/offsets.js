/**
 * The API's offsets index Python strings, by Unicode code point; JavaScript strings index UTF-16
 * units. They differ after every character outside the Basic Multilingual Plane (emoji, some CJK).
 */

/** A function from a code-point offset into `text` to the UTF-16 offset of the same position. */
export function utf16Offsets(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return (offset) => Math.min(offset, text.length);
  const units = [0];
  let unit = 0;
  for (const char of text) {
    unit += char.length;
    units.push(unit);
  }
  return (offset) => units[Math.min(offset, units.length - 1)];
}
