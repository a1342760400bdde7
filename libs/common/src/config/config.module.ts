import { type DynamicModule, Module } from '@nestjs/common';

/**
 * Makes already-validated config namespaces injectable by their class
 * (`constructor(private readonly poller: PollerEnv)`). Validation happens in main.ts,
 * before Nest starts, so a bad environment stops the process with every problem named.
 */
@Module({})
export class ConfigModule {
  static forRoot(...namespaces: object[]): DynamicModule {
    const providers = namespaces.map((value) => ({ provide: value.constructor, useValue: value }));
    return { module: ConfigModule, global: true, providers, exports: providers };
  }
}
