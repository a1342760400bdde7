/*
 * Turning the text game servers send (names, MOTDs, maps) into plain, bounded text.
 * Every protocol has its own colour escapes; the clean-up after removing them is shared.
 */

/** Plain-text fields taken from a reply are cut to this many characters. */
export const MAX_TEXT_LENGTH = 512;

const CONTROL_CHARACTER = /\p{Cc}/u;

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
  if (!CONTROL_CHARACTER.test(text)) return text.trim().slice(0, MAX_TEXT_LENGTH);
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

/** {@link cleanText}, with an empty result as `null` (a field the server left blank). */
export function textOrNull(text: string | undefined): string | null {
  if (text === undefined) return null;
  const clean = cleanText(text);
  return clean === '' ? null : clean;
}
