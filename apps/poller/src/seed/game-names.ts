import type { GameEntry } from '#providers';

/** Lower case, letters and digits only: `Counter-Strike 2` and `counter_strike2` read alike. */
export function normalise(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Names people write in sheets that are neither an id nor a display name of the games table
 * (GameDig's), each for the one game it can only mean.
 */
const ALIASES: Readonly<Record<string, string>> = {
  java: 'minecraft',
  minecraftjava: 'minecraft',
  minecraftjavaedition: 'minecraft',
  bedrock: 'mbe',
  minecraftbedrock: 'mbe',
  mcpe: 'mbe',
  cs2: 'counterstrike2',
  gmod: 'garrysmod',
  tf2: 'teamfortress2',
  quake3: 'q3a',
  quake3arena: 'q3a',
  quakeiii: 'q3a',
  quakeiiiarena: 'q3a',
};

/** A prefix shorter than this is never taken for a game (`c` or `mi` mean nothing yet). */
const MIN_PREFIX = 3;
const SHOWN = 3;

export type GameMatch = { id: string } | { error: string };

/**
 * Reads a game as people write it: a GameDig id or a display name, in any case and spacing,
 * or the start of exactly one of them. Anything else is refused with the closest ids.
 */
export class GameNames {
  /** Every spelling (normalised id, display name, alias) and the id it stands for. */
  private readonly spellings = new Map<string, string>();

  constructor(games: readonly GameEntry[]) {
    for (const game of games) {
      this.spellings.set(normalise(game.id), game.id);
      // A sheet kept since GameDig's old ids (`csgo`, `arkse`) names the same game.
      for (const alias of game.aliases) {
        if (!this.spellings.has(normalise(alias))) this.spellings.set(normalise(alias), game.id);
      }
      const name = normalise(game.name);
      if (name !== '' && !this.spellings.has(name)) this.spellings.set(name, game.id);
    }
    const known = new Set(games.map((game) => game.id));
    for (const [alias, id] of Object.entries(ALIASES)) {
      if (known.has(id) && !this.spellings.has(alias)) this.spellings.set(alias, id);
    }
  }

  resolve(text: string): GameMatch {
    const key = normalise(text);
    if (key === '') return { error: 'missing game' };
    const exact = this.spellings.get(key);
    if (exact !== undefined) return { id: exact };
    if (key.length >= MIN_PREFIX) {
      const ids = new Set<string>();
      for (const [spelling, id] of this.spellings) if (spelling.startsWith(key)) ids.add(id);
      const [only, ...more] = [...ids].sort();
      if (only !== undefined && more.length === 0) return { id: only };
      if (only !== undefined) {
        return {
          error: `ambiguous game '${text}' (could be ${[only, ...more].slice(0, 5).join(', ')}${more.length >= 5 ? ', ...' : ''})`,
        };
      }
    }
    return { error: `unknown game '${text}' (closest ids: ${this.closest(key).join(', ')})` };
  }

  /** The ids whose spellings are fewest edits away from `key`. */
  private closest(key: string): string[] {
    const best = new Map<string, number>();
    for (const [spelling, id] of this.spellings) {
      const distance = editDistance(key, spelling);
      if (distance < (best.get(id) ?? Infinity)) best.set(id, distance);
    }
    return [...best]
      .sort(([a, x], [b, y]) => x - y || a.localeCompare(b))
      .slice(0, SHOWN)
      .map(([id]) => id);
  }
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
