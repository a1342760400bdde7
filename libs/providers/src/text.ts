/*
 * Turning the text game servers send (names, MOTDs, maps) into plain, bounded text.
 * Every protocol has its own colour escapes; the clean-up after removing them is shared.
 */

/** Plain-text fields taken from a reply are cut to this many characters. */
export const MAX_TEXT_LENGTH = 512;

/**
 * Whether `text` holds a control character (C0, DEL or C1: what `\p{Cc}` matches). A loop,
 * because this runs on every name and map of every reply, and on such short strings it is
 * several times faster than the regular expression.
 */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/** Removes Minecraft's legacy `§x` formatting codes (colours, styles, and the `§x§r§r§g§g§b§b` hex form). */
export function stripMinecraftCodes(text: string): string {
  if (!text.includes('§')) return text;
  return text.replace(/§./gsu, '').replace(/§$/u, '');
}

/**
 * Removes Quake-engine colour escapes (`^1`, `^7`, ... and letters), also used by FiveM and
 * RedM. ioquake3 treats `^` followed by a letter or digit as an escape, any other `^` as text.
 */
export function stripQuakeColours(text: string): string {
  if (!text.includes('^')) return text;
  return text.replace(/\^[0-9A-Za-z]/g, '');
}

/**
 * Control characters dropped, tabs made spaces, lines trimmed, blank lines dropped, and
 * the result cut to {@link MAX_TEXT_LENGTH}. Apply a protocol's code stripper first.
 */
export function cleanText(text: string): string {
  // Most names and maps hold no control character: then only trimming and the cap apply.
  if (!hasControlCharacter(text)) return text.trim().slice(0, MAX_TEXT_LENGTH);
  return text
    .split(/\r?\n/u)
    .map((line) =>
      line
        .replace(/\t/gu, ' ')
        .replace(/\p{Cc}/gu, '')
        .trim(),
    )
    .filter((line) => line !== '')
    .join('\n')
    .slice(0, MAX_TEXT_LENGTH);
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;

/**
 * The integer written in `text` from `from` to `to` (exclusive) as 1 to `maxDigits` ASCII
 * digits, after a minus when `signed`; undefined for anything else. A loop rather than a
 * regular expression and Number(): numbers in replies are parsed by the dozen per reply.
 */
export function decimalAt(
  text: string,
  from: number,
  to: number,
  signed: boolean,
  maxDigits = 10,
): number | undefined {
  const negative = signed && text.charCodeAt(from) === MINUS;
  const start = negative ? from + 1 : from;
  if (to <= start || to - start > maxDigits) return undefined;
  let value = 0;
  for (let i = start; i < to; i++) {
    const code = text.charCodeAt(i);
    // Written so that NaN (an offset past the end) fails too.
    if (!(code >= DIGIT_0 && code <= DIGIT_9)) return undefined;
    value = value * 10 + (code - DIGIT_0);
  }
  return negative ? -value : value;
}

/** The integer a whole field holds (spaces around allowed), as {@link decimalAt} reads it. */
export function parseDecimal(
  text: string | undefined,
  signed: boolean,
  maxDigits = 10,
): number | undefined {
  if (text === undefined) return undefined;
  const digits = text.trim();
  return decimalAt(digits, 0, digits.length, signed, maxDigits);
}

/** {@link cleanText}, with an empty result as `null` (a field the server left blank). */
export function textOrNull(text: string | undefined): string | null {
  if (text === undefined) return null;
  const clean = cleanText(text);
  return clean === '' ? null : clean;
}
