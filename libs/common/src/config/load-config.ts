import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

/** Thrown at start when the environment is wrong; its message names every bad variable, once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type EnvClass<T> = new () => T;

/** What class-validator keeps of one decorator on a property (its own type is not exported). */
type Rule = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

/** One namespace read: the instance, and each bad variable with the one line that says why. */
interface EnvCheck<T> {
  value: T;
  problems: Map<string, string>;
}

/**
 * Validates one namespace of environment variables. Properties of the class are
 * the variable names themselves, so an error message names exactly what to fix.
 * `NAME_FILE` is read as the value of `NAME` (Docker secrets), and wins over `NAME`.
 */
export function validateEnv<T extends object>(cls: EnvClass<T>, env: NodeJS.ProcessEnv): T {
  const { value, problems } = checkEnv(cls, env);
  if (problems.size > 0) throw new ConfigError([...problems.values()]);
  return value;
}

/**
 * Reads several namespaces and reports every problem of all of them at once, so one
 * start-up attempt names everything an operator has to fix. A variable read by two
 * namespaces (or a namespace read twice) is reported once.
 */
export class ConfigReader {
  private readonly problems = new Map<string, string>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The validated namespace, or undefined when it is invalid (the problems are kept). */
  read<T extends object>(cls: EnvClass<T>): T | undefined {
    const { value, problems } = checkEnv(cls, this.env);
    for (const [variable, message] of problems) {
      if (!this.problems.has(variable)) this.problems.set(variable, message);
    }
    return problems.size > 0 ? undefined : value;
  }

  /** Throws one ConfigError listing every problem seen so far; otherwise gives back what was read. */
  assertValid<T extends unknown[]>(...read: T): { [K in keyof T]: Exclude<T[K], undefined> } {
    if (this.problems.size > 0) throw new ConfigError([...this.problems.values()]);
    return read as { [K in keyof T]: Exclude<T[K], undefined> };
  }
}

function checkEnv<T extends object>(cls: EnvClass<T>, env: NodeJS.ProcessEnv): EnvCheck<T> {
  const problems = new Map<string, string>();
  const raw: Record<string, string> = {};
  const defaults = new cls() as Record<string, unknown>;
  for (const key of Object.keys(defaults)) {
    const file = env[`${key}_FILE`];
    if (file) {
      try {
        raw[key] = readFileSync(file, 'utf8').trim();
      } catch (err) {
        // Said under the variable itself: its value being absent is this, not a second problem.
        problems.set(key, `${key}_FILE: cannot read ${file} (${(err as Error).message})`);
      }
    } else if (env[key] !== undefined && env[key] !== '') {
      raw[key] = env[key];
    }
  }
  const value = plainToInstance(cls, raw, {
    exposeDefaultValues: true,
    enableImplicitConversion: true,
  });
  const rules = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  for (const error of validateSync(value, { forbidUnknownValues: false })) {
    const variable = error.property;
    if (problems.has(variable)) continue;
    const own = rules.filter((rule) => rule.propertyName === variable);
    problems.set(variable, problemOf(error, own, raw[variable], defaults[variable]));
  }
  return { value, problems };
}

/** Rules that say what kind of value a variable takes, most telling first. */
const KIND_RULES = ['isInt', 'isNumber', 'isUrl', 'isIn', 'matches', 'isString', 'isNotEmpty'];

/**
 * The one line for a variable whose value broke one or more rules: that it is not set, or
 * the first broken rule among what kind of value it takes, then its range, then the rest
 * (rules across variables). class-validator would give one line per broken rule, so
 * `POLL_CONCURRENCY=abc` read as three range and type problems.
 */
function problemOf(
  error: ValidationError,
  rules: readonly Rule[],
  given: string | undefined,
  fallback: unknown,
): string {
  const variable = error.property;
  if (given === undefined && fallback === undefined) return `${variable}: not set`;
  const broken = error.constraints ?? {};
  const value = shown(variable, given);
  const rule = (name: string) => rules.find((r) => r.name === name);
  const custom = (name: string) => rule(name)?.message !== undefined;
  const kind = KIND_RULES.find((name) => name in broken && !custom(name));
  if (kind === 'isInt') return `${variable}: ${value} is not a whole number`;
  if (kind === 'isNumber') return `${variable}: ${value} is not a number`;
  if (kind === 'isUrl') {
    const protocols = (rule('isUrl')?.constraints[0] as { protocols?: string[] } | undefined)
      ?.protocols;
    const schemes = protocols ? ` (${protocols.map((p) => `${p}://`).join(' or ')})` : '';
    return `${variable}: ${value} is not a URL${schemes}`;
  }
  if (kind === 'isIn') {
    const values = rule('isIn')?.constraints[0] as readonly unknown[];
    return `${variable}: ${value} is not one of ${values.join(', ')}`;
  }
  if (!KIND_RULES.some((name) => name in broken) && ('min' in broken || 'max' in broken)) {
    const min = rule('min')?.constraints[0] as number | undefined;
    const max = rule('max')?.constraints[0] as number | undefined;
    const range =
      min !== undefined && max !== undefined
        ? `is not between ${min} and ${max}`
        : min !== undefined
          ? `is less than ${min}`
          : `is more than ${String(max)}`;
    return `${variable}: ${value} ${range}`;
  }
  const first = KIND_RULES.find((name) => name in broken) ?? Object.keys(broken)[0] ?? '';
  const message = broken[first] ?? 'is not valid';
  // class-validator's own messages start with the property name; custom ones may not.
  const said = message.startsWith(variable) ? message : `${variable}: ${message}`;
  // A message that already names the value (`WRITER_LANES=5 ...`) is not told it again.
  return given === undefined || said.includes(`${variable}=${given}`) || SECRET.test(variable)
    ? said
    : `${said} (given ${value})`;
}

/** Variables whose values never appear in a message. */
const SECRET = /(?:^|_)(?:KEY|KEYS|PASSWORD|SECRET|TOKEN)$/;

/** The given value as a message shows it: quoted, with a URL's password masked; a secret's never. */
function shown(variable: string, given: string | undefined): string {
  if (given === undefined) return 'the default';
  if (SECRET.test(variable)) return 'the value given';
  return JSON.stringify(given.replace(URL_PASSWORD, '$1***@'));
}

/** The password of `scheme://user:password@host`. */
const URL_PASSWORD = /^([a-z][a-z\d+.-]*:\/\/[^/@:]*:)[^/@]*@/i;
