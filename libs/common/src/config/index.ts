export * from './load-config.js';
export * from './env.js';
export * from './config.module.js';
export * from './start-process.js';
