import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '#common';

export const API_ROLES = ['viewer', 'admin'] as const;
/** `viewer` reads; `admin` also creates, changes, deletes, polls now and opens Bull Board. */
export type ApiRole = (typeof API_ROLES)[number];

/** Who a valid key belongs to. The key itself is never kept next to it. */
export interface ApiPrincipal {
  name: string;
  role: ApiRole;
}

/** A request the auth guard has looked at. */
export type AuthedRequest = IncomingMessage & { principal?: ApiPrincipal };

/**
 * The configured API keys. Keys are looked up by their SHA-256, so a lookup takes the same
 * path whatever a guess has in common with a real key, and no plain key stays in memory
 * beyond parsing.
 */
export class ApiKeyRegistry {
  private constructor(private readonly byHash: ReadonlyMap<string, ApiPrincipal>) {}

  /**
   * Reads API_KEYS (`name:role:key` entries separated by commas or new lines; the format is
   * checked by ApiKeysEnv). A name or key given twice is a configuration error.
   */
  static parse(text: string): ApiKeyRegistry {
    const byHash = new Map<string, ApiPrincipal>();
    const names = new Set<string>();
    const problems: string[] = [];
    for (const entry of text.split(/[,\n]/).map((part) => part.trim())) {
      if (entry === '') continue;
      const [name = '', role = '', ...rest] = entry.split(':');
      const hash = sha256(rest.join(':'));
      if (names.has(name)) problems.push(`API_KEYS: the name '${name}' is given twice`);
      // Never echo a key: name the entry that repeats one instead.
      else if (byHash.has(hash))
        problems.push(`API_KEYS: '${name}' repeats the key of another entry`);
      names.add(name);
      byHash.set(hash, { name, role: role as ApiRole });
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return new ApiKeyRegistry(byHash);
  }

  /** The owner of `key`, or null. */
  resolve(key: string | undefined): ApiPrincipal | null {
    return key ? (this.byHash.get(sha256(key)) ?? null) : null;
  }

  /**
   * The owner of the key a request carries: `X-API-Key: <key>`, `Authorization: Bearer <key>`,
   * or HTTP Basic with the key as password (any user name), which is what a browser sends
   * after its log-in prompt on Bull Board.
   */
  fromRequest(req: IncomingMessage): ApiPrincipal | null {
    return this.resolve(presentedKey(req));
  }
}

/** Whether `role` may do what `needed` guards. */
export function allows(role: ApiRole, needed: ApiRole): boolean {
  return role === 'admin' || needed === 'viewer';
}

function presentedKey(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header.trim();
  const authorization = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
