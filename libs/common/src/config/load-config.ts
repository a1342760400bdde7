import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown at start when the environment is wrong; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type EnvClass<T> = new () => T;

/**
 * Validates one namespace of environment variables. Properties of the class are
 * the variable names themselves, so an error message names exactly what to fix.
 * `NAME_FILE` is read as the value of `NAME` (Docker secrets), and wins over `NAME`.
 */
export function validateEnv<T extends object>(cls: EnvClass<T>, env: NodeJS.ProcessEnv): T {
  const problems: string[] = [];
  const raw: Record<string, string> = {};
  for (const key of Object.keys(new cls())) {
    const file = env[`${key}_FILE`];
    if (file) {
      try {
        raw[key] = readFileSync(file, 'utf8').trim();
      } catch (err) {
        problems.push(`${key}_FILE: cannot read ${file} (${(err as Error).message})`);
      }
    } else if (env[key] !== undefined && env[key] !== '') {
      raw[key] = env[key];
    }
  }
  const instance = plainToInstance(cls, raw, {
    exposeDefaultValues: true,
    enableImplicitConversion: true,
  });
  problems.push(...validateSync(instance, { forbidUnknownValues: false }).flatMap(describe));
  if (problems.length > 0) throw new ConfigError(problems);
  return instance;
}

/**
 * Reads several namespaces and reports every problem of all of them at once, so one
 * start-up attempt names everything an operator has to fix.
 */
export class ConfigReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The validated namespace, or undefined when it is invalid (the problems are kept). */
  read<T extends object>(cls: EnvClass<T>): T | undefined {
    try {
      return validateEnv(cls, this.env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.problems.push(...err.problems);
      return undefined;
    }
  }

  /** Throws one ConfigError listing every problem seen so far; otherwise gives back what was read. */
  assertValid<T extends unknown[]>(...read: T): { [K in keyof T]: Exclude<T[K], undefined> } {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return read as { [K in keyof T]: Exclude<T[K], undefined> };
  }
}

function describe(error: ValidationError): string[] {
  // class-validator's own messages start with the property name; custom ones may not.
  const own = Object.values(error.constraints ?? {}).map((msg) =>
    msg.startsWith(error.property) ? msg : `${error.property}: ${msg}`,
  );
  return [...own, ...(error.children ?? []).flatMap(describe)];
}
