export * from './bootstrap';
export * from './database';
export * from './platform.module';
export * from './readiness';
export * from './tokens';
export * from './schema-migration';
export * from './projection-replay';
